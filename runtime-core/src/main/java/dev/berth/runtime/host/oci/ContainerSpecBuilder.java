package dev.berth.runtime.host.oci;

import dev.berth.common.error.BerthException;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.KeyValue;
import dev.berth.proto.runtime.v1.LinuxContainerResources;
import dev.berth.proto.runtime.v1.LinuxContainerSecurityContext;
import dev.berth.proto.runtime.v1.Mount;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.proto.runtime.v1.SecurityProfile;
import dev.berth.runtime.host.cgroup.CgroupDriver;
import dev.berth.runtime.host.cgroup.CgroupLayout;
import dev.berth.runtime.host.ns.NamespaceKind;
import dev.berth.runtime.host.ns.PinnedNamespaces;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds a container's OCI spec from the CRI request, the image's defaults and its sandbox. Pure apart from reading
 * the rootfs's account files and stat-ing host paths named by mounts and devices.
 */
public final class ContainerSpecBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(ContainerSpecBuilder.class);

    public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public static final List<String> DEFAULT_MASKED_PATHS = List.of("/proc/acpi", "/proc/asound", "/proc/kcore",
            "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
            "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap");
    public static final List<String> DEFAULT_READONLY_PATHS = List.of("/proc/bus", "/proc/fs", "/proc/irq",
            "/proc/sys", "/proc/sysrq-trigger");

    /** The device nodes every container may use (runc creates the nodes; these are the cgroup rules). */
    private static final List<OciSpec.DeviceRule> DEFAULT_DEVICE_RULES = List.of(
            new OciSpec.DeviceRule(false, null, null, null, "rwm"),
            new OciSpec.DeviceRule(true, "c", 1L, 3L, "rwm"),     // null
            new OciSpec.DeviceRule(true, "c", 1L, 5L, "rwm"),     // zero
            new OciSpec.DeviceRule(true, "c", 1L, 7L, "rwm"),     // full
            new OciSpec.DeviceRule(true, "c", 1L, 8L, "rwm"),     // random
            new OciSpec.DeviceRule(true, "c", 1L, 9L, "rwm"),     // urandom
            new OciSpec.DeviceRule(true, "c", 5L, 0L, "rwm"),     // tty
            new OciSpec.DeviceRule(true, "c", 5L, 1L, "rwm"),     // console
            new OciSpec.DeviceRule(true, "c", 5L, 2L, "rwm"),     // ptmx
            new OciSpec.DeviceRule(true, "c", 136L, null, "rwm"), // pts/*
            new OciSpec.DeviceRule(false, "c", 10L, 229L, "rwm")); // fuse stays denied

    public static final String ANNOTATION_CONTAINER_TYPE = "io.kubernetes.cri.container-type";
    public static final String ANNOTATION_SANDBOX_ID = "io.kubernetes.cri.sandbox-id";
    public static final String ANNOTATION_SANDBOX_NAME = "io.kubernetes.cri.sandbox-name";
    public static final String ANNOTATION_SANDBOX_NAMESPACE = "io.kubernetes.cri.sandbox-namespace";
    public static final String ANNOTATION_SANDBOX_UID = "io.kubernetes.cri.sandbox-uid";
    public static final String ANNOTATION_CONTAINER_NAME = "io.kubernetes.cri.container-name";
    public static final String ANNOTATION_IMAGE_NAME = "io.kubernetes.cri.image-name";

    private final CgroupDriver driver;
    private final CgroupLayout layout;
    private final int minOomScoreAdj;
    private final OciJson json = new OciJson();

    /**
     * @param minOomScoreAdj the daemon's own oom_score_adj: without CAP_SYS_RESOURCE a child may not go below it,
     *                       so requests are clamped up to it
     */
    public ContainerSpecBuilder(CgroupDriver driver, CgroupLayout layout, int minOomScoreAdj) {
        this.driver = driver;
        this.layout = layout;
        this.minOomScoreAdj = minOomScoreAdj;
    }

    /** A builder for this host: detected cgroup layout, this process's oom_score_adj. */
    public static ContainerSpecBuilder forHost(CgroupDriver driver) {
        int adj = 0;
        try {
            adj = Integer.parseInt(Files.readString(Path.of("/proc/self/oom_score_adj")).strip());
        } catch (IOException | NumberFormatException e) {
            LOG.warn("event=oom_score_adj_unreadable error=\"{}\"", e.getMessage());
        }
        return new ContainerSpecBuilder(driver, CgroupLayout.detect(), adj);
    }

    public OciSpec build(ContainerSpecRequest request) {
        ContainerConfig config = request.config();
        LinuxContainerSecurityContext security = config.getLinux().getSecurityContext();
        boolean privileged = security.getPrivileged();
        SandboxContext sandbox = request.sandbox();
        String hostname = sandbox.config().getHostname();

        List<String> caps = LinuxCapabilities.compute(security.getCapabilities(), privileged);
        ResolvedUser user = ImageUsers.of(request.rootfs()).resolve(security, request.image().user());
        OciSpec.Process process = new OciSpec.Process(
                config.getTty(),
                null,
                new OciSpec.User(user.uid(), user.gid(), null, user.additionalGids()),
                processArgs(config.getCommandList(), config.getArgsList(), request.image()),
                environment(request.image().env(), config.getEnvsList(), hostname, config.getTty()),
                workingDir(config.getWorkingDir(), request.image().workingDir()),
                new OciSpec.Capabilities(caps, caps, List.of(), caps,
                        privileged ? null : LinuxCapabilities.ambient(security.getCapabilities())),
                null,
                security.getNoNewPrivs() ? Boolean.TRUE : null,
                null,
                Math.max((int) config.getLinux().getResources().getOomScoreAdj(), minOomScoreAdj),
                null);

        List<OciSpec.Mount> mounts = mounts(config, sandbox, privileged, security.getReadonlyRootfs());
        List<OciSpec.Device> devices = new ArrayList<>();
        List<OciSpec.DeviceRule> deviceRules = new ArrayList<>();
        if (privileged) {
            devices.addAll(DeviceNodes.allHostDevices());
            deviceRules.add(new OciSpec.DeviceRule(true, null, null, null, "rwm"));
        } else {
            deviceRules.addAll(DEFAULT_DEVICE_RULES);
            for (var device : config.getDevicesList()) {
                for (var access : DeviceNodes.describe(device.getHostPath(), device.getContainerPath(),
                        device.getPermissions())) {
                    devices.add(access.device());
                    deviceRules.add(access.rule());
                }
            }
        }

        OciSpec.Linux linux = new OciSpec.Linux(
                null,
                null,
                null,
                resources(config.getLinux().getResources(), deviceRules),
                driver.containerPath(sandbox.cgroupParent(), request.containerId()),
                namespaces(sandbox.namespaces(), request.pidMode(), request.pidNamespace()),
                devices.isEmpty() ? null : devices,
                SeccompProfiles.forContainer(seccompProfile(security), privileged, caps, json),
                rootfsPropagation(config),
                privileged ? List.of() : (security.getMaskedPathsCount() > 0 ? security.getMaskedPathsList()
                        : DEFAULT_MASKED_PATHS),
                privileged ? List.of() : (security.getReadonlyPathsCount() > 0 ? security.getReadonlyPathsList()
                        : DEFAULT_READONLY_PATHS));

        return new OciSpec(OciSpec.VERSION, process,
                new OciSpec.Root(request.rootfs().toAbsolutePath().toString(), security.getReadonlyRootfs()),
                utsHostname(sandbox), mounts, annotations(request), linux);
    }

    /**
     * The spec of a sandbox's PID-namespace holder ({@code catatonit -P}, bind-mounted from the host) for pods that
     * share one PID namespace. {@code rootfs} is an empty directory the caller owns.
     */
    public OciSpec buildPidHolder(String containerId, SandboxContext sandbox, Path rootfs, Path catatonit) {
        List<OciSpec.Mount> mounts = new ArrayList<>();
        mounts.add(new OciSpec.Mount("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev")));
        mounts.add(new OciSpec.Mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755",
                "size=65536k")));
        mounts.add(new OciSpec.Mount("/catatonit", "bind", catatonit.toString(), List.of("rbind", "ro")));
        OciSpec.Process process = new OciSpec.Process(false, null, new OciSpec.User(0, 0, null, List.of(0L)),
                List.of("/catatonit", "-P"), List.of("PATH=" + DEFAULT_PATH), "/",
                new OciSpec.Capabilities(List.of(), List.of(), List.of(), List.of(), List.of()), null, true, null,
                minOomScoreAdj, null);
        Map<String, String> annotations = new TreeMap<>();
        annotations.put(ANNOTATION_CONTAINER_TYPE, "sandbox");
        annotations.put(ANNOTATION_SANDBOX_ID, sandbox.sandboxId());
        PodSandboxConfig pod = sandbox.config();
        annotations.put(ANNOTATION_SANDBOX_NAME, pod.getMetadata().getName());
        annotations.put(ANNOTATION_SANDBOX_NAMESPACE, pod.getMetadata().getNamespace());
        annotations.put(ANNOTATION_SANDBOX_UID, pod.getMetadata().getUid());
        OciSpec.Linux linux = new OciSpec.Linux(null, null, null,
                new OciSpec.Resources(DEFAULT_DEVICE_RULES, null, new OciSpec.Cpu(2L, null, null, null, null), null,
                        null, null),
                driver.containerPath(sandbox.cgroupParent(), containerId),
                namespaces(sandbox.namespaces(), PidMode.CONTAINER, null), null,
                SeccompProfiles.runtimeDefault(List.of()), null, DEFAULT_MASKED_PATHS, DEFAULT_READONLY_PATHS);
        return new OciSpec(OciSpec.VERSION, process, new OciSpec.Root(rootfs.toAbsolutePath().toString(), true),
                utsHostname(sandbox), mounts, annotations, linux);
    }

    /**
     * The pod's hostname when it has its own UTS namespace: the runtime sets it as each container joins (the pin is
     * made with no hostname, so that its one spawn can run the network setup instead); null for the node's.
     */
    private static String utsHostname(SandboxContext sandbox) {
        return sandbox.namespaces().path(NamespaceKind.UTS).isPresent() ? sandbox.hostname() : null;
    }

    /** The process of an exec in a container: the container's identity and environment, a new command. */
    public static OciSpec.Process execProcess(OciSpec containerSpec, List<String> command, boolean tty) {
        if (command.isEmpty()) {
            throw BerthException.invalidArgument("exec command is empty");
        }
        return containerSpec.process().withArgs(List.copyOf(command), tty);
    }

    // --- process -------------------------------------------------------------------------------------------------

    /**
     * The kubelet's rule: a command replaces the entrypoint (and the image's cmd); args alone replace the cmd and keep
     * the entrypoint; neither runs the image's entrypoint + cmd.
     */
    public static List<String> processArgs(List<String> command, List<String> args, ImageDefaults image) {
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
        return result;
    }

    /** HOSTNAME (and TERM with a tty), then the image's env, then the config's, later ones overriding by name. */
    public static List<String> environment(List<String> imageEnv, List<KeyValue> configEnv, String hostname,
            boolean tty) {
        Map<String, String> env = new LinkedHashMap<>();
        if (hostname != null && !hostname.isEmpty()) {
            env.put("HOSTNAME", hostname);
        }
        if (tty) {
            env.put("TERM", "xterm");
        }
        for (String entry : imageEnv) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                env.put(entry.substring(0, eq), entry.substring(eq + 1));
            } else if (eq < 0 && !entry.isEmpty()) {
                env.put(entry, "");
            }
        }
        for (KeyValue kv : configEnv) {
            if (kv.getKey().isEmpty()) {
                continue;
            }
            env.put(kv.getKey(), kv.getValue());
        }
        env.putIfAbsent("PATH", DEFAULT_PATH);
        List<String> result = new ArrayList<>(env.size());
        env.forEach((k, v) -> result.add(k + "=" + v));
        return result;
    }

    public static String workingDir(String configured, String image) {
        String dir = !configured.isEmpty() ? configured : (!image.isEmpty() ? image : "/");
        return dir.startsWith("/") ? dir : "/" + dir;
    }

    // --- mounts --------------------------------------------------------------------------------------------------

    private List<OciSpec.Mount> mounts(ContainerConfig config, SandboxContext sandbox, boolean privileged,
            boolean readonlyRootfs) {
        Set<String> requested = new HashSet<>();
        config.getMountsList().forEach(m -> requested.add(normalizeDestination(m.getContainerPath())));
        List<OciSpec.Mount> mounts = new ArrayList<>();
        String sysOption = privileged ? "rw" : "ro";
        addUnlessRequested(mounts, requested, new OciSpec.Mount("/proc", "proc", "proc",
                List.of("nosuid", "noexec", "nodev")));
        addUnlessRequested(mounts, requested, new OciSpec.Mount("/dev", "tmpfs", "tmpfs",
                List.of("nosuid", "strictatime", "mode=755", "size=65536k")));
        addUnlessRequested(mounts, requested, new OciSpec.Mount("/dev/pts", "devpts", "devpts",
                List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")));
        if (sandbox.namespaces().isPinned(NamespaceKind.IPC)) {
            addUnlessRequested(mounts, requested, new OciSpec.Mount("/dev/mqueue", "mqueue", "mqueue",
                    List.of("nosuid", "noexec", "nodev")));
        } else if (Files.isDirectory(Path.of("/dev/mqueue"))) {
            addUnlessRequested(mounts, requested, new OciSpec.Mount("/dev/mqueue", "bind", "/dev/mqueue",
                    List.of("rbind", "nosuid", "noexec", "nodev")));
        }
        addUnlessRequested(mounts, requested, new OciSpec.Mount("/sys", "sysfs", "sysfs",
                List.of("nosuid", "noexec", "nodev", sysOption)));
        addUnlessRequested(mounts, requested, new OciSpec.Mount("/sys/fs/cgroup", "cgroup", "cgroup",
                List.of("nosuid", "noexec", "nodev", "relatime", sysOption)));

        String fileMode = readonlyRootfs ? "ro" : "rw";
        if (sandbox.files() != null) {
            addUnlessRequested(mounts, requested, bind("/etc/hostname", sandbox.files().hostname(), fileMode));
            addUnlessRequested(mounts, requested, bind("/etc/hosts", sandbox.files().hosts(), fileMode));
            addUnlessRequested(mounts, requested, bind("/etc/resolv.conf", sandbox.files().resolvConf(), fileMode));
        }
        Path shm = sandbox.shm() != null ? sandbox.shm() : Path.of("/dev/shm");
        addUnlessRequested(mounts, requested, new OciSpec.Mount("/dev/shm", "bind", shm.toString(),
                List.of("rbind", "rprivate", "nosuid", "nodev", "noexec", "rw")));

        // Parents before children, so a mount under another mount lands on top of it.
        List<Mount> criMounts = new ArrayList<>(config.getMountsList());
        criMounts.sort(Comparator.comparingInt(m -> Path.of(normalizeDestination(m.getContainerPath()))
                .getNameCount()));
        for (Mount mount : criMounts) {
            mounts.add(criMount(mount));
        }
        return mounts;
    }

    private static OciSpec.Mount bind(String destination, Path source, String mode) {
        return new OciSpec.Mount(destination, "bind", source.toString(), List.of("rbind", "rprivate", mode));
    }

    private static void addUnlessRequested(List<OciSpec.Mount> mounts, Set<String> requested, OciSpec.Mount mount) {
        if (!requested.contains(mount.destination())) {
            mounts.add(mount);
        }
    }

    private static OciSpec.Mount criMount(Mount mount) {
        String destination = normalizeDestination(mount.getContainerPath());
        if (mount.getHostPath().isEmpty()) {
            if (mount.hasImage()) {
                throw new BerthException(BerthException.Kind.UNIMPLEMENTED,
                        "image volume mounts must be resolved to a host path before building the spec");
            }
            throw BerthException.invalidArgument("mount " + destination + " has no host path");
        }
        Path source = Path.of(mount.getHostPath());
        if (!source.isAbsolute()) {
            throw BerthException.invalidArgument("mount host path must be absolute: " + mount.getHostPath());
        }
        try {
            if (!Files.exists(source)) {
                // Like containerd: a missing hostPath source becomes an empty directory.
                Files.createDirectories(source);
            }
            source = source.toRealPath();
        } catch (IOException e) {
            throw BerthException.invalidArgument("cannot use mount source " + mount.getHostPath() + ": " + e);
        }
        List<String> options = new ArrayList<>();
        options.add("rbind");
        switch (mount.getPropagation()) {
            case PROPAGATION_HOST_TO_CONTAINER: options.add("rslave"); break;
            case PROPAGATION_BIDIRECTIONAL: options.add("rshared"); break;
            default: options.add("rprivate"); break;
        }
        if (mount.getReadonly()) {
            options.add(mount.getRecursiveReadOnly() ? "rro" : "ro");
        } else {
            if (mount.getRecursiveReadOnly()) {
                throw BerthException.invalidArgument("recursive read-only mount " + destination
                        + " must also be read-only");
            }
            options.add("rw");
        }
        return new OciSpec.Mount(destination, "bind", source.toString(), options);
    }

    private static String normalizeDestination(String containerPath) {
        return MountDestination.of(containerPath, "mount container_path");
    }

    private static String rootfsPropagation(ContainerConfig config) {
        boolean shared = false;
        boolean slave = false;
        for (var mount : config.getMountsList()) {
            switch (mount.getPropagation()) {
                case PROPAGATION_BIDIRECTIONAL: shared = true; break;
                case PROPAGATION_HOST_TO_CONTAINER: slave = true; break;
                default: break;
            }
        }
        return shared ? "rshared" : (slave ? "rslave" : null);
    }

    // --- linux ---------------------------------------------------------------------------------------------------

    private OciSpec.Resources resources(LinuxContainerResources r, List<OciSpec.DeviceRule> deviceRules) {
        OciSpec.Cpu cpu = null;
        if (r.getCpuShares() > 0 || r.getCpuQuota() != 0 || r.getCpuPeriod() > 0 || !r.getCpusetCpus().isEmpty()
                || !r.getCpusetMems().isEmpty()) {
            cpu = new OciSpec.Cpu(r.getCpuShares() > 0 ? r.getCpuShares() : null,
                    r.getCpuQuota() != 0 ? r.getCpuQuota() : null, r.getCpuPeriod() > 0 ? r.getCpuPeriod() : null,
                    r.getCpusetCpus().isEmpty() ? null : r.getCpusetCpus(),
                    r.getCpusetMems().isEmpty() ? null : r.getCpusetMems());
        }
        OciSpec.Memory memory = null;
        if (r.getMemoryLimitInBytes() > 0 || r.getMemorySwapLimitInBytes() > 0) {
            memory = new OciSpec.Memory(r.getMemoryLimitInBytes() > 0 ? r.getMemoryLimitInBytes() : null, null,
                    r.getMemorySwapLimitInBytes() > 0 ? r.getMemorySwapLimitInBytes() : null, null);
        }
        List<OciSpec.HugepageLimit> hugepages = null;
        if (r.getHugepageLimitsCount() > 0) {
            if (hasHugetlb()) {
                hugepages = new ArrayList<>();
                for (var limit : r.getHugepageLimitsList()) {
                    hugepages.add(new OciSpec.HugepageLimit(limit.getPageSize(), limit.getLimit()));
                }
            } else {
                // runc fails "cannot set hugetlb limit" when the controller is not mounted (hybrid hosts here).
                LOG.debug("event=hugepage_limits_skipped reason=no_hugetlb_hierarchy");
            }
        }
        Map<String, String> unified = null;
        if (r.getUnifiedCount() > 0) {
            if (layout.isUnified()) {
                unified = new TreeMap<>(r.getUnifiedMap());
            } else {
                LOG.debug("event=unified_resources_skipped reason=cgroup_v1");
            }
        }
        return new OciSpec.Resources(deviceRules, memory, cpu, null, hugepages, unified);
    }

    private boolean hasHugetlb() {
        return layout.isUnified() ? layout.unified("").map(p -> p.resolve("cgroup.controllers"))
                .map(ContainerSpecBuilder::readQuietly).orElse("").contains("hugetlb")
                : layout.v1("hugetlb", "").isPresent();
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    private List<OciSpec.Namespace> namespaces(PinnedNamespaces pinned, PidMode pidMode, Path pidNamespace) {
        List<OciSpec.Namespace> namespaces = new ArrayList<>();
        switch (pidMode) {
            case CONTAINER:
                namespaces.add(new OciSpec.Namespace("pid", null));
                break;
            case POD:
            case TARGET:
                if (pidNamespace == null) {
                    throw BerthException.invalidArgument("PID mode " + pidMode + " needs a namespace to join");
                }
                namespaces.add(new OciSpec.Namespace("pid", pidNamespace.toString()));
                break;
            case NODE:
            default:
                break;
        }
        pinned.path(NamespaceKind.NET)
                .ifPresent(p -> namespaces.add(new OciSpec.Namespace("network", p.toString())));
        pinned.path(NamespaceKind.IPC)
                .ifPresent(p -> namespaces.add(new OciSpec.Namespace("ipc", p.toString())));
        pinned.path(NamespaceKind.UTS)
                .ifPresent(p -> namespaces.add(new OciSpec.Namespace("uts", p.toString())));
        namespaces.add(new OciSpec.Namespace("mount", null));
        if (layout.isUnified()) {
            namespaces.add(new OciSpec.Namespace("cgroup", null));
        }
        return namespaces;
    }

    // The legacy string field is still sent by older kubelets.
    @SuppressWarnings("deprecation")
    private static SecurityProfile seccompProfile(LinuxContainerSecurityContext security) {
        if (security.hasSeccomp()) {
            return security.getSeccomp();
        }
        // Legacy string form: "unconfined", "runtime/default", "docker/default", "localhost/<path>", or empty.
        String legacy = security.getSeccompProfilePath();
        var builder = SecurityProfile.newBuilder();
        if (legacy.equals("unconfined")) {
            builder.setProfileType(SecurityProfile.ProfileType.Unconfined);
        } else if (legacy.startsWith("localhost/")) {
            builder.setProfileType(SecurityProfile.ProfileType.Localhost)
                    .setLocalhostRef(legacy.substring("localhost/".length()));
        } else {
            builder.setProfileType(SecurityProfile.ProfileType.RuntimeDefault);
        }
        return builder.build();
    }

    private static Map<String, String> annotations(ContainerSpecRequest request) {
        Map<String, String> annotations = new TreeMap<>(request.config().getAnnotationsMap());
        PodSandboxConfig pod = request.sandbox().config();
        annotations.put(ANNOTATION_CONTAINER_TYPE, "container");
        annotations.put(ANNOTATION_SANDBOX_ID, request.sandbox().sandboxId());
        annotations.put(ANNOTATION_SANDBOX_NAME, pod.getMetadata().getName());
        annotations.put(ANNOTATION_SANDBOX_NAMESPACE, pod.getMetadata().getNamespace());
        annotations.put(ANNOTATION_SANDBOX_UID, pod.getMetadata().getUid());
        annotations.put(ANNOTATION_CONTAINER_NAME, request.config().getMetadata().getName());
        String image = request.image().imageName().isEmpty() ? request.config().getImage().getImage()
                : request.image().imageName();
        annotations.put(ANNOTATION_IMAGE_NAME, image);
        return annotations;
    }
}
