package dev.berth.runtime.host.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class NativeSpawnTest {

    /**
     * Sources that are each other's targets (as conmon's pipes would be if they got fds 4 and 3) must arrive
     * crossed, not both as the pipe dup'ed first.
     */
    @Test
    void sourcesThatAreEachOthersTargetsArriveCrossed() throws Exception {
        int[] first = Syscalls.pipe();
        int[] second = Syscalls.pipe();
        int a = first[1];
        int b = second[1];
        try {
            // fd a in the child must be the second pipe, fd b the first.
            int pid = NativeSpawn.of(Path.of("/bin/bash"), List.of("-c", "printf x >&" + a + "; printf y >&" + b))
                    .dup(b, a)
                    .dup(a, b)
                    .start();
            Syscalls.close(first[1]);
            Syscalls.close(second[1]);
            Syscalls.waitpid(pid, true);
            assertEquals("y", readAll(first[0]));
            assertEquals("x", readAll(second[0]));
        } finally {
            Syscalls.close(first[0]);
            Syscalls.close(second[0]);
        }
    }

    private static String readAll(int fd) {
        byte[] buffer = new byte[16];
        StringBuilder text = new StringBuilder();
        int n;
        while ((n = Syscalls.read(fd, buffer, 5000)) > 0) {
            text.append(new String(buffer, 0, n, StandardCharsets.US_ASCII));
        }
        return text.toString();
    }
}
