package dev.berth.runtime.container;

import java.nio.file.Path;

/**
 * Where a streaming server attaches to a running container: conmon's SOCK_SEQPACKET attach socket, and the stdio
 * settings the container was created with.
 */
public record AttachTarget(String containerId, Path socket, boolean tty, boolean stdin, boolean stdinOnce) {
}
