package dev.berth.cri.cli;

import dev.berth.cri.config.ConfigException;
import dev.berth.cri.config.ConfigLoader;
import java.io.PrintStream;

/** `berth config`: the effective configuration, defaults filled in, as TOML. */
public final class ConfigCommand {

    private final PrintStream out;
    private final PrintStream err;

    public ConfigCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public int run(String[] args) {
        try {
            out.print(new ConfigLoader().render(ConfigOption.parse(args).load()));
            return 0;
        } catch (UsageException e) {
            err.println("berth config: " + e.getMessage());
            return 2;
        } catch (ConfigException e) {
            err.println("berth: " + e.getMessage());
            return 1;
        }
    }
}
