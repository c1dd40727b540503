package dev.berth.runtime.host.oci.spec;

import dev.berth.runtime.host.files.SandboxFilePaths;
import dev.berth.runtime.host.oci.ContainerSpecRequest;
import dev.berth.runtime.host.oci.OciSpec;
import dev.berth.runtime.host.oci.SandboxContext;
import java.nio.file.Path;
import java.util.List;

/** The pod's shared files: /etc/hostname, /etc/hosts, /etc/resolv.conf and the /dev/shm tmpfs. */
public final class SandboxFilesStep implements SpecStep {

    @Override
    public void apply(ContainerSpecRequest request, OciSpec.Builder spec) {
        RequestedMounts requested = RequestedMounts.of(request.config());
        SandboxContext sandbox = request.sandbox();
        // A read-only root filesystem keeps these read-only too.
        String mode = request.security().getReadonlyRootfs() ? "ro" : "rw";
        SandboxFilePaths files = sandbox.files();
        if (files != null) {
            requested.addUnlessRequested(spec, bind("/etc/hostname", files.hostname(), mode));
            requested.addUnlessRequested(spec, bind("/etc/hosts", files.hosts(), mode));
            requested.addUnlessRequested(spec, bind("/etc/resolv.conf", files.resolvConf(), mode));
        }
        Path shm = sandbox.shm() != null ? sandbox.shm() : Path.of("/dev/shm");
        requested.addUnlessRequested(spec, new OciSpec.Mount("/dev/shm", "bind", shm.toString(),
                List.of("rbind", "rprivate", "nosuid", "nodev", "noexec", "rw")));
    }

    private static OciSpec.Mount bind(String destination, Path source, String mode) {
        return new OciSpec.Mount(destination, "bind", source.toString(), List.of("rbind", "rprivate", mode));
    }
}
