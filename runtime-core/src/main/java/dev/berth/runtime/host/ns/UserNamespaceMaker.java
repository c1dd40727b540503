package dev.berth.runtime.host.ns;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.berth.common.error.BerthException;
import dev.berth.runtime.host.sys.Binaries;
import dev.berth.runtime.host.sys.SyscallException;
import dev.berth.runtime.host.sys.Syscalls;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Makes a new user namespace, and the other kinds asked for inside it (so it owns them), and pins them all.
 *
 * <p>A helper {@code unshare --user [--net --ipc --uts] -- cat} creates the namespaces in one call and then echoes
 * what berth writes to it: the echo says the namespaces exist. berth then bind-mounts the helper's
 * {@code /proc/<pid>/ns/*} onto the pin files and writes its uid and gid maps (host root may write a multi-id map
 * without denying setgroups), and closes the helper's input, which ends it. util-linux cannot pin a user namespace
 * itself here: its {@code --user=FILE} mounts from inside the new namespace, which the kernel refuses.
 */
final class UserNamespaceMaker {

    private UserNamespaceMaker() {
    }

    /** @param pinFile the existing empty pin file of each kind */
    static void make(Function<NamespaceKind, Path> pinFile, Set<NamespaceKind> kinds, UserNamespaceMapping mapping,
            Duration timeout) throws IOException {
        List<String> argv = new ArrayList<>();
        argv.add(Binaries.find("unshare").toString());
        for (NamespaceKind kind : kinds) {
            argv.add("--" + kind.dirName());
        }
        argv.addAll(List.of("--", Binaries.find("cat").toString()));
        Process helper = new ProcessBuilder(argv).redirectErrorStream(true).start();
        try {
            OutputStream input = helper.getOutputStream();
            input.write("ready\n".getBytes(UTF_8));
            input.flush();
            BufferedReader output = new BufferedReader(new InputStreamReader(helper.getInputStream(), UTF_8));
            String echo = CompletableFuture.supplyAsync(() -> readLine(output)).get(timeout.toMillis(),
                    TimeUnit.MILLISECONDS);
            if (!"ready".equals(echo)) {
                throw BerthException.internal("cannot make a user namespace: " + String.join(" ", argv) + " said: "
                        + echo, null);
            }
            Path proc = Path.of("/proc", Long.toString(helper.pid()), "ns");
            for (NamespaceKind kind : kinds) {
                Syscalls.mount(proc.resolve(kind.dirName()).toString(), pinFile.apply(kind).toString(), null,
                        Syscalls.MS_BIND, null);
            }
            Path process = proc.getParent();
            Files.writeString(process.resolve("uid_map"), mapping.uidMapLine());
            Files.writeString(process.resolve("gid_map"), mapping.gidMapLine());
            input.close();
            if (!helper.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw BerthException.internal("the user namespace helper did not end within " + timeout, null);
            }
        } catch (SyscallException e) {
            throw BerthException.internal("cannot pin the new user namespace: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw BerthException.internal("interrupted while making a user namespace", e);
        } catch (ExecutionException | TimeoutException e) {
            throw BerthException.internal("the user namespace helper did not answer: " + e, e);
        } finally {
            if (helper.isAlive()) {
                helper.destroyForcibly();
            }
        }
    }

    private static String readLine(BufferedReader output) {
        try {
            StringBuilder all = new StringBuilder();
            String line = output.readLine();
            if ("ready".equals(line)) {
                return line;
            }
            // Not the echo: the helper failed; its whole message is the answer.
            while (line != null) {
                all.append(line).append(' ');
                line = output.readLine();
            }
            return all.toString().strip();
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
