package dev.berth.cri.cli;

import dev.berth.cri.cleanup.CleanupException;
import dev.berth.cri.cleanup.NodeCleanup;
import dev.berth.cri.config.ConfigException;
import java.io.PrintStream;
import java.util.Arrays;

/**
 * `berth cleanup [--images] [--config FILE]`: for a node being decommissioned, removes what the stopped daemon of
 * that config left on the host, printing each thing removed. Refuses while the daemon runs.
 */
public final class CleanupCommand {

    private final PrintStream out;
    private final PrintStream err;

    public CleanupCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public int run(String[] args) {
        boolean images = Arrays.asList(args).contains("--images");
        String[] configArgs = Arrays.stream(args).filter(arg -> !arg.equals("--images")).toArray(String[]::new);
        try {
            new NodeCleanup(ConfigOption.parse(configArgs).load(), images, line -> out.println("removed " + line))
                    .run();
        } catch (UsageException e) {
            err.println("berth cleanup: " + e.getMessage());
            return 2;
        } catch (ConfigException | CleanupException e) {
            err.println("berth cleanup: " + e.getMessage());
            return 1;
        }
        out.println("cleanup done");
        return 0;
    }
}
