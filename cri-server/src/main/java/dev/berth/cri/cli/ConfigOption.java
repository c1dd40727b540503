package dev.berth.cri.cli;

import dev.berth.cri.config.BerthConfig;
import dev.berth.cri.config.ConfigLoader;
import java.nio.file.Path;

/** The `--config FILE` option shared by the commands that read a config. */
record ConfigOption(Path file, boolean explicit) {

    static ConfigOption parse(String[] args) {
        Path file = ConfigLoader.DEFAULT_PATH;
        boolean explicit = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--config") || arg.equals("-c")) {
                if (i + 1 >= args.length) {
                    throw new UsageException("--config needs a file");
                }
                file = Path.of(args[++i]);
                explicit = true;
            } else if (arg.startsWith("--config=")) {
                file = Path.of(arg.substring("--config=".length()));
                explicit = true;
            } else {
                throw new UsageException("unknown option \"" + arg + "\"");
            }
        }
        return new ConfigOption(file, explicit);
    }

    BerthConfig load() {
        return new ConfigLoader().load(file, explicit);
    }
}
