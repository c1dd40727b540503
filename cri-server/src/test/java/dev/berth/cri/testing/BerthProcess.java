package dev.berth.cri.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs the `berth` command line in a JVM of its own, as an operator (or systemd) runs it. */
public final class BerthProcess {

    private BerthProcess() {
    }

    public static Process start(Path workDir, String... args) {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xmx128m", "-cp", classpath, "dev.berth.cri.Berth"));
        command.addAll(List.of(args));
        try {
            return new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(workDir.resolve("stdout").toFile()))
                    .redirectError(ProcessBuilder.Redirect.appendTo(workDir.resolve("stderr").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
