package dev.berth.runtime.host.monitor;

import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.ContainerMetadata;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.proto.runtime.v1.PodSandboxMetadata;
import dev.berth.runtime.host.cgroup.CgroupCleaner;
import dev.berth.runtime.host.cgroup.CgroupDriver;
import dev.berth.runtime.host.cgroup.CgroupJoin;
import dev.berth.runtime.host.cgroup.CgroupLayout;
import dev.berth.runtime.host.files.SandboxFilePaths;
import dev.berth.runtime.host.files.SandboxFiles;
import dev.berth.runtime.host.files.SandboxShm;
import dev.berth.runtime.host.ns.NamespaceKind;
import dev.berth.runtime.host.ns.NamespacePins;
import dev.berth.runtime.host.ns.PinnedNamespaces;
import dev.berth.runtime.host.oci.ContainerSpecBuilder;
import dev.berth.runtime.host.oci.ContainerSpecRequest;
import dev.berth.runtime.host.oci.ImageDefaults;
import dev.berth.runtime.host.oci.OciJson;
import dev.berth.runtime.host.oci.OciSpec;
import dev.berth.runtime.host.oci.PidMode;
import dev.berth.runtime.host.oci.SandboxContext;
import dev.berth.runtime.host.sys.Binaries;
import dev.berth.runtime.sandbox.PidHolder;
import dev.berth.runtime.store.StateLayout;
import dev.berth.runtime.testing.BusyboxRootfs;
import dev.berth.runtime.testing.TestHost;
import dev.berth.runtime.testing.TestIds;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

/**
 * A pod sandbox made with the host primitives (pins, files, shm) plus a way to create busybox containers in it
 * under conmon. Everything it makes is undone through the same API at {@link TestHost#close()}.
 */
final class SandboxFixture {

    /** A created container, with what its tests need. */
    record Container(String id, Path bundle, Path persistDir, Path log, OciSpec spec, MonitoredContainer monitor) {
    }

    final TestHost host;
    final String sandboxId = TestIds.id64();
    final SandboxContext sandbox;
    final CgroupLayout layout = CgroupLayout.detect();
    final CgroupCleaner cgroups = new CgroupCleaner(layout);
    final ContainerSpecBuilder builder = ContainerSpecBuilder.forHost(CgroupDriver.CGROUPFS);
    final OciJson json = new OciJson();

    SandboxFixture(TestHost host) {
        this.host = host;
        NamespacePins pins = host.pins();
        Path sandboxDir = host.dir("sandboxes/" + sandboxId);
        SandboxShm shm = new SandboxShm();
        host.onClose(() -> cgroups.removeIfEmpty(host.cgroupParent()));
        host.onClose(() -> pins.unpin(sandboxId));
        PinnedNamespaces pinned = pins.pin(sandboxId,
                EnumSet.of(NamespaceKind.NET, NamespaceKind.IPC, NamespaceKind.UTS), List.of());
        host.onClose(() -> shm.unmount(sandboxDir));
        Path shmDir = shm.mount(sandboxDir);
        SandboxFilePaths files = new SandboxFiles().write(sandboxDir, "pod-0", false, Optional.empty(), null);
        PodSandboxConfig config = PodSandboxConfig.newBuilder().setHostname("pod-0")
                .setMetadata(PodSandboxMetadata.newBuilder().setName("pod").setNamespace("default").setUid("uid-1"))
                .build();
        this.sandbox = new SandboxContext(sandboxId, config, pinned, host.cgroupParent(), files, shmDir);
    }

    static ContainerConfig.Builder config(String... command) {
        return ContainerConfig.newBuilder().setMetadata(ContainerMetadata.newBuilder().setName("c"))
                .setImage(ImageSpec.newBuilder().setImage("busybox")).addAllCommand(List.of(command));
    }

    Container create(ContainerConfig.Builder config) {
        return create(config, false);
    }

    Container create(ContainerConfig.Builder config, boolean tty) {
        return create(config, tty, PidMode.CONTAINER, null);
    }

    Container create(ContainerConfig.Builder config, boolean tty, PidMode pidMode, Path pidNamespace) {
        String id = TestIds.id64();
        Path bundle = host.dir("containers/" + id).resolve("bundle");
        Path rootfs = BusyboxRootfs.create(bundle.resolve("rootfs"));
        return run(id, bundle, builder.build(new ContainerSpecRequest(id, config.setTty(tty).build(),
                ImageDefaults.empty(), rootfs, sandbox, pidMode, pidNamespace)), tty);
    }

    /** The sandbox's PID-namespace holder, started as berth starts it; stopped at close. */
    PidHolder.Process startPidHolder() {
        StateLayout state = new StateLayout(host.dir("holder-root"), host.dir("holder-state"));
        PidHolder holders = new PidHolder(state, new CgroupJoin(layout), cgroups, CgroupDriver.CGROUPFS,
                Binaries.find("catatonit"));
        PidHolder.Process holder = holders.start(sandboxId, sandbox.namespaces(), host.cgroupParent());
        host.onClose(() -> holders.destroy(sandboxId, host.cgroupParent(), holder.pid(), holder.startTicks()));
        return holder;
    }

    private Container run(String id, Path bundle, OciSpec spec, boolean tty) {
        Path containerDir = bundle.getParent();
        json.writeConfig(bundle, spec);
        Path log = host.dir("logs").resolve(id + ".log");
        Conmon conmon = host.conmon();
        host.onClose(() -> cgroups.remove(spec.linux().cgroupsPath()));
        host.onClose(() -> conmon.cleanup(id, bundle));
        MonitoredContainer monitor = conmon.create(new ConmonLaunch(id, bundle, containerDir, log, false, false,
                tty, 0));
        host.onClose(() -> awaitExit(monitor.conmonPid()));
        host.onClose(() -> host.runtime().delete(id, true));
        return new Container(id, bundle, containerDir, log, spec, monitor);
    }

    /** conmon exits shortly after its container; wait so the leak check doesn't race it. */
    static void awaitExit(long pid) {
        ProcessHandle.of(pid).ifPresent(handle -> {
            try {
                handle.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError("process " + pid + " did not exit", e);
            }
        });
    }
}
