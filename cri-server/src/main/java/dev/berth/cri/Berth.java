package dev.berth.cri;

import dev.berth.cri.cli.CheckCommand;
import dev.berth.cri.cli.CleanupCommand;
import dev.berth.cri.cli.ConfigCommand;
import dev.berth.cri.cli.ServeCommand;
import java.io.PrintStream;
import java.util.Arrays;

/** The `berth` command line: serve, config, check, cleanup, version. */
public final class Berth {

    private Berth() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println(usage());
            return 2;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        return switch (args[0]) {
            case "serve" -> new ServeCommand(out, err).run(rest);
            case "config" -> new ConfigCommand(out, err).run(rest);
            case "check" -> new CheckCommand(out, err).run(rest);
            case "cleanup" -> new CleanupCommand(out, err).run(rest);
            case "version", "--version" -> {
                out.println("berth " + BuildInfo.version() + " (CRI v1)");
                yield 0;
            }
            case "help", "--help", "-h" -> {
                out.println(usage());
                yield 0;
            }
            default -> {
                err.println("berth: unknown command \"" + args[0] + "\"\n" + usage());
                yield 2;
            }
        };
    }

    static String usage() {
        return """
                usage: berth <command> [--config FILE]
                  serve    run the CRI daemon (config default /etc/berth/config.toml; embedded defaults if absent)
                  config   print the effective configuration as TOML
                  check    check host prerequisites; non-zero exit if a required one is missing
                  cleanup  remove what a stopped daemon left on the host (bridge, nftables table, cgroups, mounts,
                           runtime state; --images also the image storage); refused while the daemon runs
                  version  print the version""";
    }
}
