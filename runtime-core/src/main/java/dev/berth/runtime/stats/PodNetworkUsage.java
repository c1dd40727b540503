package dev.berth.runtime.stats;

import java.util.List;
import java.util.Optional;

/**
 * A pod's network counters at one time.
 *
 * @param timestamp nanoseconds since the epoch
 * @param defaultInterface the pod's CNI interface (eth0), when it has one
 * @param otherInterfaces every other interface but loopback
 */
public record PodNetworkUsage(long timestamp, Optional<InterfaceCounters> defaultInterface,
                              List<InterfaceCounters> otherInterfaces) {

    /** The interface the pod network attaches, as the CNI ADD names it. */
    public static final String DEFAULT_INTERFACE = "eth0";

    public PodNetworkUsage {
        otherInterfaces = List.copyOf(otherInterfaces);
    }

    /** Splits a namespace's interfaces: loopback is the pod's own traffic to itself and is left out, as cAdvisor does. */
    public static PodNetworkUsage of(long timestamp, List<InterfaceCounters> interfaces) {
        Optional<InterfaceCounters> primary = interfaces.stream()
                .filter(i -> i.name().equals(DEFAULT_INTERFACE)).findFirst();
        List<InterfaceCounters> others = interfaces.stream()
                .filter(i -> !i.name().equals(DEFAULT_INTERFACE) && !i.name().equals("lo")).toList();
        return new PodNetworkUsage(timestamp, primary, others);
    }
}
