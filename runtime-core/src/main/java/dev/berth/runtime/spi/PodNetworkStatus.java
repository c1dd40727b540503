package dev.berth.runtime.spi;

import java.util.List;

/**
 * A pod's addresses after attach.
 *
 * @param ip the primary IP; empty for a pod with no network
 * @param additionalIps further IPs, e.g. the other family of a dual-stack pod
 */
public record PodNetworkStatus(String ip, List<String> additionalIps) {

    public static final PodNetworkStatus NONE = new PodNetworkStatus("", List.of());

    public PodNetworkStatus {
        ip = ip == null ? "" : ip;
        additionalIps = additionalIps == null ? List.of() : List.copyOf(additionalIps);
    }
}
