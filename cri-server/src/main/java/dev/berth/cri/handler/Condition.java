package dev.berth.cri.handler;

/** One readiness fact for the kubelet's node conditions; reason and message say why when not ready. */
public record Condition(boolean ready, String reason, String message) {

    public static Condition ok() {
        return new Condition(true, "", "");
    }

    public static Condition notReady(String reason, String message) {
        return new Condition(false, reason, message);
    }
}
