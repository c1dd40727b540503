package dev.berth.runtime.host.cgroup;

import dev.berth.common.error.BerthException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes CPU and memory limits into an existing pod cgroup (cgroup v1 files: {@code cpu.shares},
 * {@code cpu.cfs_period_us}, {@code cpu.cfs_quota_us}, {@code memory.limit_in_bytes}). All or nothing: each file's
 * old value is read first, and when the kernel refuses one value the files already written get their old values
 * back, so a refused update leaves the cgroup as it was.
 */
public final class PodCgroupWriter {

    private static final Logger LOG = LoggerFactory.getLogger(PodCgroupWriter.class);

    private final CgroupLayout layout;

    public PodCgroupWriter(CgroupLayout layout) {
        this.layout = layout;
    }

    /** Applies the set (non-zero) limits to the cgroup at {@code relative} in the cpu and memory hierarchies. */
    public void apply(String relative, PodCgroupLimits limits) {
        if (layout.isUnified()) {
            throw BerthException.failedPrecondition("pod resource updates are implemented for cgroup v1 "
                    + "controllers only; this host keeps cpu and memory in cgroup v2");
        }
        List<Write> writes = plan(relative, limits);
        Deque<Write> done = new ArrayDeque<>();
        for (Write write : writes) {
            String old = read(write.file());
            try {
                Files.writeString(write.file(), write.value(), StandardCharsets.US_ASCII);
            } catch (IOException e) {
                restore(done);
                throw BerthException.invalidArgument("the kernel refused " + write.value() + " for "
                        + write.file() + " (" + e.getMessage() + "); nothing of this update was kept");
            }
            done.push(new Write(write.file(), old));
        }
    }

    private List<Write> plan(String relative, PodCgroupLimits limits) {
        List<Write> writes = new ArrayList<>();
        // Memory first, then the CPU files in the order in which a period change keeps a valid quota.
        if (limits.memoryLimitInBytes() > 0) {
            writes.add(new Write(file("memory", relative, "memory.limit_in_bytes"),
                    Long.toString(limits.memoryLimitInBytes())));
        }
        if (limits.cpuShares() > 0) {
            writes.add(new Write(file("cpu", relative, "cpu.shares"), Long.toString(limits.cpuShares())));
        }
        if (limits.cpuPeriod() > 0) {
            writes.add(new Write(file("cpu", relative, "cpu.cfs_period_us"), Long.toString(limits.cpuPeriod())));
        }
        if (limits.cpuQuota() != 0) {
            writes.add(new Write(file("cpu", relative, "cpu.cfs_quota_us"),
                    Long.toString(limits.cpuQuota() < 0 ? -1 : limits.cpuQuota())));
        }
        return writes;
    }

    private Path file(String controller, String relative, String name) {
        Optional<Path> dir = layout.v1(controller, relative);
        if (dir.isEmpty()) {
            throw BerthException.failedPrecondition("this host mounts no cgroup v1 " + controller + " controller");
        }
        if (!Files.isDirectory(dir.get(), LinkOption.NOFOLLOW_LINKS)) {
            throw BerthException.failedPrecondition("the pod cgroup " + dir.get() + " does not exist (the kubelet "
                    + "creates it before the pod's containers)");
        }
        return dir.get().resolve(name);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            throw BerthException.internal("cannot read " + file, e);
        }
    }

    private static void restore(Deque<Write> done) {
        for (Write write : done) {
            try {
                Files.writeString(write.file(), write.value(), StandardCharsets.US_ASCII);
            } catch (IOException e) {
                LOG.warn("event=pod_cgroup_restore_failed file={} value={} error=\"{}\"", write.file(), write.value(),
                        e.getMessage());
            }
        }
    }

    private record Write(Path file, String value) {
    }
}
