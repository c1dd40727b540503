package dev.berth.runtime.host.oci.spec;

import dev.berth.runtime.host.ns.NamespaceKind;
import dev.berth.runtime.host.oci.ContainerSpecRequest;
import dev.berth.runtime.host.oci.OciSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The kernel filesystems every container gets: /proc, /dev, /dev/pts, /dev/mqueue, /sys, /sys/fs/cgroup. */
public final class DefaultMountsStep implements SpecStep {

    public static final OciSpec.Mount PROC = new OciSpec.Mount("/proc", "proc", "proc",
            List.of("nosuid", "noexec", "nodev"));
    public static final OciSpec.Mount DEV = new OciSpec.Mount("/dev", "tmpfs", "tmpfs",
            List.of("nosuid", "strictatime", "mode=755", "size=65536k"));

    @Override
    public void apply(ContainerSpecRequest request, OciSpec.Builder spec) {
        RequestedMounts requested = RequestedMounts.of(request.config());
        // Only privileged containers may write to sysfs and the cgroup tree.
        String sysOption = request.privileged() ? "rw" : "ro";
        requested.addUnlessRequested(spec, PROC);
        requested.addUnlessRequested(spec, DEV);
        requested.addUnlessRequested(spec, new OciSpec.Mount("/dev/pts", "devpts", "devpts",
                List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")));
        if (request.sandbox().namespaces().isPinned(NamespaceKind.IPC)) {
            requested.addUnlessRequested(spec, new OciSpec.Mount("/dev/mqueue", "mqueue", "mqueue",
                    List.of("nosuid", "noexec", "nodev")));
        } else if (Files.isDirectory(Path.of("/dev/mqueue"))) {
            // The host's IPC namespace: its message queues, as the host sees them.
            requested.addUnlessRequested(spec, new OciSpec.Mount("/dev/mqueue", "bind", "/dev/mqueue",
                    List.of("rbind", "nosuid", "noexec", "nodev")));
        }
        requested.addUnlessRequested(spec, new OciSpec.Mount("/sys", "sysfs", "sysfs",
                List.of("nosuid", "noexec", "nodev", sysOption)));
        requested.addUnlessRequested(spec, new OciSpec.Mount("/sys/fs/cgroup", "cgroup", "cgroup",
                List.of("nosuid", "noexec", "nodev", "relatime", sysOption)));
    }
}
