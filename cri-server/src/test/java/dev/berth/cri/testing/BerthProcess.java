package dev.berth.cri.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the `berth` command line through the repository's launcher, so the daemon under test has the JVM flags a node
 * gives it (heap, compiler, GC) and its memory readings mean what they would on a node.
 */
public final class BerthProcess {

    private static final Path LAUNCHER = Path.of("..", "bin", "berth").toAbsolutePath().normalize();

    private BerthProcess() {
    }

    public static Process start(Path workDir, String... args) {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("BERTH_CLASSPATH", classpath);
        builder.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        builder.environment().remove("BERTH_JAR");
        try {
            return builder
                    .directory(workDir.toFile())
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(workDir.resolve("stdout").toFile()))
                    .redirectError(ProcessBuilder.Redirect.appendTo(workDir.resolve("stderr").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
