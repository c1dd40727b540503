package dev.berth.runtime.sandbox;

/** A pod's identity as the kubelet named it. */
public record SandboxMetadata(String name, String uid, String namespace, int attempt) {

    /** The name berth reserves: unique per pod and attempt, like the kubelet's own sandbox naming. */
    public String reservationName() {
        return name + "_" + namespace + "_" + uid + "_" + attempt;
    }
}
