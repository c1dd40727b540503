package dev.berth.bench.scenario;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.bench.host.CgroupTree;
import dev.berth.bench.host.WorkDir;
import dev.berth.bench.stats.StepException;
import dev.berth.common.exec.Command;
import dev.berth.common.exec.CommandResult;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The floor under any runc-based runtime: {@code runc create}, {@code runc start}, {@code runc kill} (SIGKILL, until
 * the process is gone) and {@code runc delete} of a prepared bundle (a busybox root directory, no overlay, no
 * network), timed from this JVM the same way as the CRI calls. What a runtime takes above this is its own overhead.
 * (Not {@code runc delete -f}: it polls in 100 ms steps for the process to die, which no runtime waits for.)
 */
public final class RuncFloorScenario {

    public static final String CREATE = "runc create";
    public static final String START = "runc start";
    public static final String CREATE_START = "runc create+start";
    public static final String KILL = "runc kill";
    public static final String DELETE = "runc delete";
    public static final String KILL_DELETE = "runc kill+delete";
    public static final String TOTAL = "total";

    static final String RUNC = "/usr/sbin/runc";
    static final Path BUSYBOX = Path.of("/bin/busybox");
    static final String CGROUP_PARENT = "/berth-bench-floor";

    private static final Logger LOG = LoggerFactory.getLogger(RuncFloorScenario.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Settings settings;

    public RuncFloorScenario(Settings settings) {
        this.settings = settings;
    }

    public String name() {
        return "runc floor";
    }

    public Outcome run() {
        WorkDir work = WorkDir.create("bb-floor-");
        Path runcRoot = work.directory("runc");
        Path bundle = work.directory("bundle");
        Path log = work.resolve("runc.log");
        Path pidFile = work.resolve("init.pid");
        Measurement m = new Measurement();
        String[] live = {null};
        return m.run(name(), () -> {
            StepException.wrap("bundle", () -> {
                prepareBundle(bundle);
                return null;
            });
            for (int i = 0; i < settings.warmup() + settings.iterations(); i++) {
                m.recorder.recording(i >= settings.warmup());
                String id = "bench-floor-" + i;
                long start = System.nanoTime();
                m.recorder.time(CREATE, () -> {
                    create(runcRoot, bundle, id, log, pidFile);
                    return null;
                });
                live[0] = id;
                m.recorder.time(START, () -> runc(runcRoot, "start", id));
                m.recorder.record(CREATE_START, System.nanoTime() - start);
                long stop = System.nanoTime();
                m.recorder.time(KILL, () -> {
                    long pid = readPid(pidFile);
                    runc(runcRoot, "kill", id, "KILL");
                    awaitExit(pid);
                    return null;
                });
                m.recorder.time(DELETE, () -> runc(runcRoot, "delete", id));
                m.recorder.record(KILL_DELETE, System.nanoTime() - stop);
                m.recorder.record(TOTAL, System.nanoTime() - start);
                live[0] = null;
            }
            m.notes.add("bundle: busybox rootfs directory, `runc spec` defaults, args sleep 3600, no terminal");
        }, () -> {
            if (live[0] != null) {
                Command.of(RUNC, "--root", runcRoot.toString(), "delete", "-f", live[0]).run();
            }
            new CgroupTree(CGROUP_PARENT).sweep().forEach(note -> LOG.warn("floor cleanup: {}", note));
            work.unmountAndDelete().forEach(note -> LOG.warn("floor cleanup: {}", note));
        });
    }

    /** A root directory with busybox and its {@code sleep} link, and runc's default spec adjusted to run it. */
    private static void prepareBundle(Path bundle) {
        Path rootfs = bundle.resolve("rootfs");
        try {
            for (String dir : List.of("bin", "dev", "etc", "proc", "sys", "tmp")) {
                Files.createDirectories(rootfs.resolve(dir));
            }
            Files.copy(BUSYBOX, rootfs.resolve("bin/busybox"));
            Files.createSymbolicLink(rootfs.resolve("bin/sleep"), Path.of("busybox"));
            Files.createSymbolicLink(rootfs.resolve("bin/sh"), Path.of("busybox"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + rootfs, e);
        }
        Command.of(RUNC, "spec", "--bundle", bundle.toString()).check();
        Path configFile = bundle.resolve("config.json");
        try {
            ObjectNode config = (ObjectNode) JSON.readTree(configFile.toFile());
            ObjectNode process = (ObjectNode) config.get("process");
            process.put("terminal", false);
            process.putArray("args").add("/bin/sleep").add("3600");
            ((ObjectNode) config.get("linux")).put("cgroupsPath", CGROUP_PARENT + "/floor");
            JSON.writerWithDefaultPrettyPrinter().writeValue(configFile.toFile(), config);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot adjust " + configFile, e);
        }
    }

    /**
     * {@code runc create} through a plain ProcessBuilder: the container inherits runc's stdio, so output pipes (as
     * Command captures them) would never see EOF while it runs. A log file takes its output instead.
     */
    private static void create(Path runcRoot, Path bundle, String id, Path log, Path pidFile) {
        ProcessBuilder builder = new ProcessBuilder(RUNC, "--root", runcRoot.toString(), "create", "--bundle",
                bundle.toString(), "--pid-file", pidFile.toString(), id)
                .redirectInput(new File("/dev/null"))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        try {
            Process process = builder.start();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("runc create timed out");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("runc create exited " + process.exitValue() + ": "
                        + Files.readString(log).strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run runc create", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static long readPid(Path pidFile) {
        try {
            return Long.parseLong(Files.readString(pidFile).strip());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + pidFile, e);
        }
    }

    /**
     * Until the container's process is dead: gone from /proc, or a zombie (it was re-parented to init when runc
     * create exited, and reaping it is init's business). Polled every 0.2 ms so the poll adds next to nothing.
     */
    private static void awaitExit(long pid) {
        Path stat = Path.of("/proc/" + pid + "/stat");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            try {
                String text = Files.readString(stat);
                char state = text.charAt(text.lastIndexOf(')') + 2);
                if (state == 'Z' || state == 'X') {
                    return;
                }
            } catch (IOException gone) {
                return;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(200_000);
        }
        throw new IllegalStateException("container process " + pid + " still alive 10 s after SIGKILL");
    }

    private static CommandResult runc(Path runcRoot, String... args) {
        List<String> argv = new java.util.ArrayList<>(List.of(RUNC, "--root", runcRoot.toString()));
        argv.addAll(List.of(args));
        return Command.of(argv).check();
    }
}
