package dev.berth.runtime.container;

import dev.berth.common.error.BerthException;
import dev.berth.common.error.RequestText;
import dev.berth.common.time.EpochNanos;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.Mount;
import dev.berth.proto.runtime.v1.NamespaceOption;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.runtime.OperationTiming;
import dev.berth.runtime.RuntimeObserver;
import dev.berth.runtime.host.monitor.ConmonLaunch;
import dev.berth.runtime.host.monitor.MonitoredContainer;
import dev.berth.runtime.host.monitor.PendingContainer;
import dev.berth.runtime.host.oci.ContainerSpecRequest;
import dev.berth.runtime.host.oci.ImageDefaults;
import dev.berth.runtime.host.oci.OciJson;
import dev.berth.runtime.host.oci.OciSpec;
import dev.berth.runtime.host.oci.PidMode;
import dev.berth.runtime.host.oci.SourcePropagation;
import dev.berth.runtime.host.ns.NamespaceKind;
import dev.berth.runtime.host.ns.UserNamespaceMapping;
import dev.berth.runtime.sandbox.OciHandlers;
import dev.berth.runtime.spi.IdmappedLayers;
import dev.berth.runtime.sandbox.PidHolder;
import dev.berth.runtime.sandbox.SandboxContexts;
import dev.berth.runtime.sandbox.SandboxRecord;
import dev.berth.runtime.sandbox.SandboxRegistry;
import dev.berth.runtime.spi.ImageConfig;
import dev.berth.runtime.spi.PreparedImageVolume;
import dev.berth.runtime.spi.PreparedRootfs;
import dev.berth.runtime.store.Ids;
import dev.berth.runtime.store.Rollback;
import dev.berth.runtime.store.SafeTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CreateContainer: validate (the request alone, then against its pod), reserve the name within the pod, persist a
 * CREATING record (so a crash mid-way is undone at restart), create the bundle, start conmon (it waits on its start
 * pipe while berth works), prepare the rootfs, build and write the OCI spec, release conmon into {@code runc create},
 * arm the exit watch, then CREATED. Any failure undoes every step already done (a conmon not yet released is killed).
 */
public final class ContainerCreator {

    private static final Logger LOG = LoggerFactory.getLogger(ContainerCreator.class);
    static final String PART_ROOTFS = "rootfs";
    static final String PART_SPEC = "spec";
    /** conmon plus the OCI runtime's create (conmon's own start-up overlaps the rootfs and spec parts). */
    static final String PART_OCI_CREATE = "oci_create";

    private final ContainerRegistry registry;
    private final SandboxRegistry sandboxes;
    private final ContainerHost host;
    private final ContainerExits exits;
    private final EventNotifier notifier;
    private final Ids ids;
    private final Clock clock;
    private final RuntimeObserver observer;
    private final OciJson json = new OciJson();
    private final ContainerValidator validator;

    public ContainerCreator(ContainerRegistry registry, SandboxRegistry sandboxes, ContainerHost host,
            ContainerExits exits, EventNotifier notifier, Ids ids, Clock clock, RuntimeObserver observer) {
        this.registry = registry;
        this.sandboxes = sandboxes;
        this.host = host;
        this.exits = exits;
        this.notifier = notifier;
        this.ids = ids;
        this.clock = clock;
        this.observer = observer;
        this.validator = new ContainerValidator(host.resourceLimits(),
                new HostSources(SourcePropagation::ofThisProcess), SecurityProfileChecks.forHost(),
                host.readOnlyStaging().supported());
    }

    /** How a container of the pod sees its layers: through the pod's user namespace if it has one. */
    private IdmappedLayers idmap(SandboxRecord sandbox) {
        UserNamespaceMapping mapping = sandbox.namespaces().userns();
        if (mapping == null) {
            return null;
        }
        return new IdmappedLayers(host.contexts().namespaces(sandbox.id(), sandbox.namespaces())
                .path(NamespaceKind.USER).orElseThrow(), mapping.hostUid(), mapping.hostGid());
    }

    /**
     * Creates a container in a READY sandbox and returns its ID (the first call's for a retry of the same request).
     *
     * @param sandboxConfig the kubelet's copy of the pod config, used only for pods whose record predates stored
     *                      configs; may be empty
     */
    public String create(String sandboxIdOrPrefix, ContainerConfig config, PodSandboxConfig sandboxConfig) {
        validator.validate(config);
        SandboxRecord sandbox = sandboxes.get(sandboxIdOrPrefix);
        validator.validateInPod(config, SandboxContexts.configFor(sandbox, sandboxConfig));
        String name = ContainerRecord.reservationName(sandbox.id(), config.getMetadata().getName(),
                config.getMetadata().getAttempt());
        String id = ids.next();
        return registry.names().reserve(name, ContainerConfigs.fingerprint(sandbox.id(), config), id,
                () -> sandboxes.locks().with(sandbox.id(), () -> createLocked(id, sandbox.id(), config,
                        sandboxConfig)));
    }

    private void createLocked(String id, String sandboxId, ContainerConfig config, PodSandboxConfig sandboxConfig) {
        // Checked under the sandbox's lock: a concurrent StopPodSandbox cannot slip in between.
        SandboxRecord sandbox = sandboxes.byFullId(sandboxId).orElseThrow(() ->
                BerthException.notFound("pod sandbox " + sandboxId + " not found"));
        if (!sandbox.isReady()) {
            throw BerthException.failedPrecondition("pod sandbox " + sandboxId + " is not ready");
        }
        OperationTiming.Stopwatch timing = new OperationTiming.Stopwatch();
        long started = timing.startedNanos();
        OciHandlers.Handler handler = host.handlers().select(sandbox.runtimeHandler());
        Path bundle = host.bundle(id);
        Path logPath = logPath(id, sandbox, config);
        Rollback rollback = new Rollback("container " + id);
        try {
            ContainerRecord record = ContainerRecord.builder()
                    .id(id)
                    .sandboxId(sandboxId)
                    .name(config.getMetadata().getName())
                    .attempt(config.getMetadata().getAttempt())
                    .state(ContainerState.CREATING)
                    .image(ContainerConfigs.image(config))
                    .createdAt(EpochNanos.now(clock))
                    .labels(config.getLabelsMap())
                    .annotations(config.getAnnotationsMap())
                    .mounts(ContainerConfigs.mounts(config.getMountsList()))
                    .logPath(config.getLogPath().isEmpty() ? "" : logPath.toString())
                    .resources(ContainerConfigs.resources(config.getLinux().getResources()))
                    .runtimeHandler(handler.name())
                    .tty(config.getTty())
                    .stdin(config.getStdin())
                    .stdinOnce(config.getStdinOnce())
                    .fingerprint(ContainerConfigs.fingerprint(sandboxId, config))
                    .build();
            registry.save(record);
            rollback.push("record", () -> registry.delete(registry.byFullId(id).orElseThrow()));

            // conmon starts first and waits on its start pipe: its start-up overlaps the rootfs and the spec.
            createDirectory(bundle);
            rollback.push("bundle", () -> SafeTrees.delete(bundle));
            PendingContainer pending = handler.conmon().prepare(new ConmonLaunch(id, bundle, bundle, logPath,
                    config.getStdin(), config.getStdinOnce(), config.getTty(), host.logSizeMax()));
            rollback.push("conmon", pending::close);

            long mounting = System.nanoTime();
            PreparedRootfs rootfs = host.rootfs().prepare(id, config.getImage().getImage(), idmap(sandbox));
            timing.part(PART_ROOTFS, mounting);
            rollback.push("rootfs", () -> host.rootfs().release(id));
            String stopSignal = ContainerConfigs.stopSignal(config, rootfs.config());

            rollback.push("staged mounts", () -> host.readOnlyStaging().release(id));
            ContainerConfig staged = stageRecursiveReadOnly(id, config);
            // Released with the rootfs (pushed above).
            List<MountSpec> mounts = new ArrayList<>(record.mounts());
            staged = mountImageVolumes(id, staged, mounts);
            long specifying = System.nanoTime();
            OciSpec spec = host.specs().build(specRequest(id, staged, sandbox, sandboxConfig, rootfs));
            json.writeConfig(bundle, spec);
            timing.part(PART_SPEC, specifying);

            long creating = System.nanoTime();
            MonitoredContainer monitored = pending.create();
            timing.part(PART_OCI_CREATE, creating);
            String cgroupsPath = spec.linux().cgroupsPath();
            rollback.push("oci container", () -> {
                exits.unwatch(id);
                handler.runtime().delete(id, true);
                handler.conmon().cleanup(id, bundle);
                host.cgroups().remove(cgroupsPath);
            });

            OciSpec.User user = spec.process().user();
            record = record.toBuilder()
                    .state(ContainerState.CREATED)
                    .mounts(mounts)
                    .imageRef(rootfs.imageRef())
                    .imageId(rootfs.imageId())
                    .user(new ProcessUser(user.uid(), user.gid(), user.additionalGids()))
                    .stopSignal(stopSignal)
                    .cgroupsPath(cgroupsPath)
                    .pid(monitored.pid())
                    .build();
            registry.save(record);
            exits.watch(record);
            LOG.info("event=container_created container={} sandbox={} name={} attempt={} image={} took_ms={}", id,
                    sandboxId, record.name(), record.attempt(), record.imageId(),
                    (System.nanoTime() - started) / 1_000_000);
            observer.operationTimed(timing.finish(OperationTiming.CONTAINER_CREATE, handler.name()));
            notifier.notify(record, ContainerEventType.CONTAINER_CREATED);
        } catch (RuntimeException | Error e) {
            LOG.warn("event=container_create_failed container={} sandbox={} name={} error=\"{}\"", id, sandboxId,
                    config.getMetadata().getName(), e.getMessage());
            rollback.run();
            throw e;
        }
    }

    /** The config with each recursive read-only mount's host path replaced by its staged read-only copy. */
    private ContainerConfig stageRecursiveReadOnly(String id, ContainerConfig config) {
        ContainerConfig.Builder staged = null;
        for (int i = 0; i < config.getMountsCount(); i++) {
            Mount mount = config.getMounts(i);
            if (mount.getRecursiveReadOnly()) {
                Path copy = host.readOnlyStaging().stage(id, i, Path.of(mount.getHostPath()));
                staged = staged == null ? config.toBuilder() : staged;
                staged.setMounts(i, mount.toBuilder().setHostPath(copy.toString()));
            }
        }
        return staged == null ? config : staged.build();
    }

    /**
     * Mounts each image volume's image (read-only, its layers shared) and points the mount's host path at it (or at
     * its sub path); the status mounts get the image ID each volume got.
     */
    private ContainerConfig mountImageVolumes(String id, ContainerConfig config, List<MountSpec> mounts) {
        ContainerConfig.Builder mounted = null;
        for (int i = 0; i < config.getMountsCount(); i++) {
            Mount mount = config.getMounts(i);
            String image = mount.getImage().getImage();
            if (image.isEmpty()) {
                continue;
            }
            PreparedImageVolume volume = host.rootfs().mountImageVolume(id, i, image);
            Path source = ImageSubPath.resolve(volume.path(), mount.getImageSubPath(), image,
                    "config.mounts[" + i + "].image_sub_path");
            mounted = mounted == null ? config.toBuilder() : mounted;
            mounted.setMounts(i, mount.toBuilder().setHostPath(source.toString()));
            mounts.set(i, mounts.get(i).withImage(volume.imageId()));
        }
        return mounted == null ? config : mounted.build();
    }

    private ContainerSpecRequest specRequest(String id, ContainerConfig config, SandboxRecord sandbox,
            PodSandboxConfig sandboxConfig, PreparedRootfs rootfs) {
        ImageConfig image = rootfs.config();
        String imageName = !config.getImage().getUserSpecifiedImage().isEmpty()
                ? config.getImage().getUserSpecifiedImage() : config.getImage().getImage();
        ImageDefaults defaults = new ImageDefaults(image.entrypoint(), image.cmd(), image.env(), image.workingDir(),
                image.user(), image.stopSignal(), imageName);
        NamespaceOption namespaces = config.getLinux().getSecurityContext().getNamespaceOptions();
        PidMode pidMode;
        Path pidNamespace = null;
        switch (namespaces.getPid()) {
            case POD:
                if (sandbox.pidHolderPid() > 0) {
                    pidMode = PidMode.POD;
                    pidNamespace = PidHolder.namespaceOf(sandbox.pidHolderPid());
                } else {
                    // The pod has no shared PID namespace (its own PID mode is not POD).
                    pidMode = PidMode.CONTAINER;
                }
                break;
            case NODE:
                pidMode = PidMode.NODE;
                break;
            case TARGET:
                pidMode = PidMode.TARGET;
                pidNamespace = PidHolder.namespaceOf(targetPid(sandbox, namespaces.getTargetId()));
                break;
            default:
                pidMode = PidMode.CONTAINER;
                break;
        }
        return new ContainerSpecRequest(id, config, defaults, rootfs.rootfs(), host.contexts().of(sandbox,
                sandboxConfig), pidMode, pidNamespace);
    }

    private int targetPid(SandboxRecord sandbox, String targetId) {
        ContainerRecord target = registry.find(targetId).orElseThrow(() ->
                BerthException.notFound("target container " + targetId + " not found"));
        if (!target.sandboxId().equals(sandbox.id())) {
            throw BerthException.invalidArgument("target container " + targetId + " is in another pod");
        }
        if (!target.isRunning() || target.pid() <= 0) {
            throw BerthException.failedPrecondition("target container " + targetId + " is not running");
        }
        return target.pid();
    }

    /** The CRI log file: the pod's log directory + the container's log path; berth's own file when none is set. */
    private Path logPath(String id, SandboxRecord sandbox, ContainerConfig config) {
        String relative = config.getLogPath();
        if (relative.isEmpty()) {
            // conmon needs somewhere to write; the kubelet asked for no log, so status shows none.
            return host.bundle(id).resolve("container.log");
        }
        Path path = sandbox.logDirectory().isEmpty() ? Path.of(relative) : Path.of(sandbox.logDirectory(), relative);
        RequestText.pathWithinLimits(path.toString(), "config.log_path inside the pod's log_directory");
        if (!path.isAbsolute()) {
            throw BerthException.invalidArgument("log path " + path + " is not absolute (pod log_directory is "
                    + "empty)");
        }
        return path.normalize();
    }

    private static void createDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }
}
