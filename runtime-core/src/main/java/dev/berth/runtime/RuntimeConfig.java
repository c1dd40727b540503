package dev.berth.runtime;

import dev.berth.runtime.host.cgroup.CgroupDriver;
import dev.berth.runtime.host.cgroup.CgroupLayout;
import dev.berth.runtime.host.files.SandboxShm;
import dev.berth.runtime.host.sys.Binaries;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * runtime-core's settings; cri-server fills it from config.toml. Immutable; {@code with*} methods return a copy.
 *
 * @param rootDir records that must survive a reboot (e.g. /var/lib/berth)
 * @param stateDir what only lives while the node is up: OCI runtime state, conmon sockets and exit files, bundles,
 *                 namespace pins, shm mounts (e.g. /run/berth). Keep it short: attach socket paths are
 *                 {@code <stateDir>/sock/<64-hex id>/attach} and must stay under 108 bytes.
 * @param handlers RuntimeClass handler name to OCI runtime binary
 * @param defaultHandler the handler used when a pod names none
 * @param shmSizeBytes size of each pod's /dev/shm
 * @param podStopTimeout grace period of a pod's containers on StopPodSandbox (the kubelet has normally stopped them
 *                       with the pod's own grace period before)
 * @param logSizeMax bytes after which a container log is truncated; 0 = unlimited
 * @param unsetSeccompIsRuntimeDefault whether a container that names no seccomp profile gets RuntimeDefault; false
 *                                     runs it unconfined, as the CRI API defines an unset profile
 */
public record RuntimeConfig(
        Path rootDir,
        Path stateDir,
        Map<String, Path> handlers,
        String defaultHandler,
        CgroupDriver cgroupDriver,
        long shmSizeBytes,
        Duration podStopTimeout,
        long logSizeMax,
        Path conmonBinary,
        Path catatonitBinary,
        boolean unsetSeccompIsRuntimeDefault) {

    public RuntimeConfig {
        handlers = Map.copyOf(handlers);
        if (!handlers.containsKey(defaultHandler)) {
            throw new IllegalArgumentException("default handler " + defaultHandler + " is not among " + handlers);
        }
    }

    /**
     * The defaults: /var/lib/berth, /run/berth, runc as default handler, crun too where the host allows it (not on
     * cgroup "hybrid" hosts, which crun 1.8 refuses), cgroupfs, 64 MiB shm, no grace on pod stop, unlimited logs,
     * unset seccomp profiles unconfined.
     */
    public static RuntimeConfig defaults() {
        Map<String, Path> handlers = new LinkedHashMap<>();
        handlers.put("runc", Binaries.find("runc"));
        Path crun = Path.of("/usr/bin/crun");
        if (Files.isExecutable(crun) && CgroupLayout.detect().mode() != CgroupLayout.Mode.HYBRID) {
            handlers.put("crun", crun);
        }
        return new RuntimeConfig(Path.of("/var/lib/berth"), Path.of("/run/berth"), handlers, "runc",
                CgroupDriver.CGROUPFS, SandboxShm.DEFAULT_SIZE_BYTES, Duration.ZERO, 0, Binaries.find("conmon"),
                optionalBinary("catatonit"), false);
    }

    /** catatonit is needed only by pods that share a PID namespace: its absence must not stop the daemon. */
    private static Path optionalBinary(String name) {
        try {
            return Binaries.find(name);
        } catch (RuntimeException e) {
            return Path.of("/usr/bin", name);
        }
    }

    public RuntimeConfig withDirectories(Path newRootDir, Path newStateDir) {
        return new RuntimeConfig(newRootDir, newStateDir, handlers, defaultHandler, cgroupDriver, shmSizeBytes,
                podStopTimeout, logSizeMax, conmonBinary, catatonitBinary, unsetSeccompIsRuntimeDefault);
    }

    public RuntimeConfig withHandlers(Map<String, Path> newHandlers, String newDefault) {
        return new RuntimeConfig(rootDir, stateDir, newHandlers, newDefault, cgroupDriver, shmSizeBytes,
                podStopTimeout, logSizeMax, conmonBinary, catatonitBinary, unsetSeccompIsRuntimeDefault);
    }

    public RuntimeConfig withCgroupDriver(CgroupDriver newDriver) {
        return new RuntimeConfig(rootDir, stateDir, handlers, defaultHandler, newDriver, shmSizeBytes,
                podStopTimeout, logSizeMax, conmonBinary, catatonitBinary, unsetSeccompIsRuntimeDefault);
    }

    public RuntimeConfig withShmSize(long bytes) {
        return new RuntimeConfig(rootDir, stateDir, handlers, defaultHandler, cgroupDriver, bytes, podStopTimeout,
                logSizeMax, conmonBinary, catatonitBinary, unsetSeccompIsRuntimeDefault);
    }

    public RuntimeConfig withPodStopTimeout(Duration timeout) {
        return new RuntimeConfig(rootDir, stateDir, handlers, defaultHandler, cgroupDriver, shmSizeBytes, timeout,
                logSizeMax, conmonBinary, catatonitBinary, unsetSeccompIsRuntimeDefault);
    }

    public RuntimeConfig withLogSizeMax(long bytes) {
        return new RuntimeConfig(rootDir, stateDir, handlers, defaultHandler, cgroupDriver, shmSizeBytes,
                podStopTimeout, bytes, conmonBinary, catatonitBinary, unsetSeccompIsRuntimeDefault);
    }

    public RuntimeConfig withUnsetSeccompRuntimeDefault(boolean runtimeDefault) {
        return new RuntimeConfig(rootDir, stateDir, handlers, defaultHandler, cgroupDriver, shmSizeBytes,
                podStopTimeout, logSizeMax, conmonBinary, catatonitBinary, runtimeDefault);
    }
}
