package dev.berth.runtime.container;

import dev.berth.common.error.BerthException;

/** Attach and terminal resize: both go through the container's conmon, so it must be running. */
public final class ContainerAttacher {

    private final ContainerRegistry registry;
    private final ContainerHost host;

    public ContainerAttacher(ContainerRegistry registry, ContainerHost host) {
        this.registry = registry;
        this.host = host;
    }

    public AttachTarget attach(String idOrPrefix) {
        ContainerRecord record = running(idOrPrefix);
        return new AttachTarget(record.id(), host.handler(record).conmon().attachSocket(record.id()), record.tty(),
                record.stdin(), record.stdinOnce());
    }

    public void resize(String idOrPrefix, int rows, int cols) {
        ContainerRecord record = running(idOrPrefix);
        host.handler(record).conmon().resize(host.bundle(record.id()), rows, cols);
    }

    private ContainerRecord running(String idOrPrefix) {
        ContainerRecord record = registry.get(idOrPrefix);
        if (!record.isRunning()) {
            throw BerthException.failedPrecondition("container " + record.id() + " is " + record.state()
                    + ", not RUNNING");
        }
        return record;
    }
}
