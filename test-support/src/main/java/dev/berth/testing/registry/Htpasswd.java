package dev.berth.testing.registry;

import dev.berth.common.fs.AtomicFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.mindrot.jbcrypt.BCrypt;

/** Writes an htpasswd file; docker-registry accepts bcrypt entries only. */
final class Htpasswd {

    /** bcrypt's minimum cost: the registry checks the hash on every request and tests need no real strength. */
    private static final int COST = 4;

    private Htpasswd() {
    }

    static void write(Path file, Credentials credentials) {
        String hash = BCrypt.hashpw(credentials.password(), BCrypt.gensalt(COST));
        AtomicFiles.write(file, (credentials.username() + ":" + hash + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
