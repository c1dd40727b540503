package dev.berth.cni;

/**
 * The CRI {@code NetworkReady} condition. When not ready, {@code reason} is {@code NetworkPluginNotReady} and
 * {@code message} says what is missing.
 */
public record NetworkStatus(boolean ready, String reason, String message) {

    public static final String NOT_READY_REASON = "NetworkPluginNotReady";

    public static NetworkStatus ready(String message) {
        return new NetworkStatus(true, "", message);
    }

    public static NetworkStatus notReady(String message) {
        return new NetworkStatus(false, NOT_READY_REASON, message);
    }
}
