package dev.berth.cri.cli;

import dev.berth.cri.check.HostCheck;
import dev.berth.cri.check.Prerequisite;
import dev.berth.cri.config.ConfigException;
import java.io.PrintStream;
import java.util.List;

/** `berth check`: each prerequisite as ok/missing with the command that fixes it. */
public final class CheckCommand {

    private final PrintStream out;
    private final PrintStream err;

    public CheckCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public int run(String[] args) {
        List<Prerequisite> results;
        try {
            results = new HostCheck(ConfigOption.parse(args).load()).run();
        } catch (UsageException e) {
            err.println("berth check: " + e.getMessage());
            return 2;
        } catch (ConfigException e) {
            err.println("berth: " + e.getMessage());
            return 1;
        }
        boolean requiredMissing = false;
        for (Prerequisite p : results) {
            String state = p.ok() ? "ok" : (p.required() ? "missing" : "missing (optional)");
            out.printf("%-18s %-45s %s%n", state, p.name(), p.detail());
            if (!p.ok()) {
                out.printf("%-18s %-45s fix: %s%n", "", "", p.fix());
                requiredMissing |= p.required();
            }
        }
        return requiredMissing ? 1 : 0;
    }
}
