package dev.berth.common.net;

import java.util.List;

/**
 * Creates a pod's network namespace (with {@code lo} up) and runs {@code ip -batch} lines inside it in the same
 * step, so a network provider's pod-side setup costs no spawn of its own. Called once per attach, before the
 * provider touches the namespace.
 */
@FunctionalInterface
public interface NetnsCreator {

    void create(List<String> ipCommands);
}
