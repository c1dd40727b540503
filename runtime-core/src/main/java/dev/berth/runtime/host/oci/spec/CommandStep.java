package dev.berth.runtime.host.oci.spec;

import dev.berth.common.error.BerthException;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.runtime.host.oci.ContainerSpecRequest;
import dev.berth.runtime.host.oci.ImageDefaults;
import dev.berth.runtime.host.oci.OciSpec;
import java.util.ArrayList;
import java.util.List;

/** What the process runs, where, and whether it gets a terminal. */
public final class CommandStep implements SpecStep {

    @Override
    public void apply(ContainerSpecRequest request, OciSpec.Builder spec) {
        ContainerConfig config = request.config();
        spec.process()
                .terminal(config.getTty())
                .args(args(config.getCommandList(), config.getArgsList(), request.image()))
                .cwd(workingDir(config.getWorkingDir(), request.image().workingDir()));
    }

    /**
     * The kubelet's rule: a command replaces the entrypoint (and the image's cmd); args alone replace the cmd and keep
     * the entrypoint; neither runs the image's entrypoint + cmd.
     */
    private static List<String> args(List<String> command, List<String> args, ImageDefaults image) {
        List<String> result = new ArrayList<>();
        if (!command.isEmpty()) {
            result.addAll(command);
            result.addAll(args);
        } else {
            result.addAll(image.entrypoint());
            result.addAll(args.isEmpty() ? image.cmd() : args);
        }
        if (result.isEmpty()) {
            throw BerthException.invalidArgument("no command specified: neither the container nor the image has one");
        }
        if (result.get(0).isEmpty()) {
            throw BerthException.invalidArgument("the program to run is an empty string (config.command[0], or "
                    + "config.args[0] when the image has no entrypoint): name a program");
        }
        return result;
    }

    private static String workingDir(String configured, String image) {
        String dir = !configured.isEmpty() ? configured : (!image.isEmpty() ? image : "/");
        return dir.startsWith("/") ? dir : "/" + dir;
    }
}
