package dev.berth.cni.plugin;

import dev.berth.common.error.BerthException;

/**
 * A CNI plugin reported an error (or could not run). Keeps the plugin's own code, message and details; reaches
 * callers only as the cause of a {@link BerthException} whose message carries the same.
 */
public final class CniPluginException extends RuntimeException {

    /** Spec code 11: "try again later". */
    static final int TRY_AGAIN_LATER = 11;
    /** Spec codes 50 and 51: the plugin is not available (STATUS). */
    static final int NOT_AVAILABLE = 50;
    static final int NOT_AVAILABLE_LIMITED = 51;

    private final String plugin;
    private final String command;
    private final int code;
    private final String pluginMessage;
    private final String details;

    CniPluginException(String plugin, String command, int code, String pluginMessage, String details) {
        super("CNI plugin " + plugin + " " + command + " failed: " + pluginMessage + " (code " + code + ")"
                + (details.isEmpty() ? "" : ": " + details));
        this.plugin = plugin;
        this.command = command;
        this.code = code;
        this.pluginMessage = pluginMessage;
        this.details = details;
    }

    public String plugin() {
        return plugin;
    }

    public String command() {
        return command;
    }

    /** The plugin's error code; -1 when it did not print one (crash, timeout, missing binary). */
    public int code() {
        return code;
    }

    public String pluginMessage() {
        return pluginMessage;
    }

    public String details() {
        return details;
    }

    /** The caller-facing error: "try again" and "not available" are UNAVAILABLE, the rest INTERNAL. */
    BerthException toBerthException() {
        BerthException.Kind kind = code == TRY_AGAIN_LATER || code == NOT_AVAILABLE || code == NOT_AVAILABLE_LIMITED
                ? BerthException.Kind.UNAVAILABLE : BerthException.Kind.INTERNAL;
        return new BerthException(kind, getMessage(), this);
    }
}
