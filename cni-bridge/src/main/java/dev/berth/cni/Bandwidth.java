package dev.berth.cni;

/**
 * Traffic shaping asked for a pod, in the units of the CNI {@code bandwidth} capability: rates in bits per second,
 * bursts in bits; 0 means unlimited in that direction.
 */
public record Bandwidth(long ingressRate, long ingressBurst, long egressRate, long egressBurst) {

    public Bandwidth {
        if (ingressRate < 0 || ingressBurst < 0 || egressRate < 0 || egressBurst < 0) {
            throw dev.berth.common.error.BerthException.invalidArgument("negative bandwidth value");
        }
    }
}
