package dev.berth.runtime.host.files;

import java.nio.file.Path;

/** The per-sandbox files bind-mounted into every container of the pod. */
public record SandboxFilePaths(Path hostname, Path hosts, Path resolvConf) {

    /** The paths these files have (or will have) in a sandbox directory. */
    public static SandboxFilePaths in(Path sandboxDir) {
        return new SandboxFilePaths(sandboxDir.resolve("hostname"), sandboxDir.resolve("hosts"),
                sandboxDir.resolve("resolv.conf"));
    }
}
