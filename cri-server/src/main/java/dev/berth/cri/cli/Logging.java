package dev.berth.cri.cli;

import java.util.Locale;

/**
 * Configures slf4j-simple through its system properties; must run before the first logger is created. One line per
 * event on stderr (journald adds its own timestamps, but a terminal run still wants them).
 */
public final class Logging {

    private Logging() {
    }

    public static void configure(String level) {
        setDefault("org.slf4j.simpleLogger.defaultLogLevel", level.toLowerCase(Locale.ROOT));
        setDefault("org.slf4j.simpleLogger.showDateTime", "true");
        setDefault("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
        setDefault("org.slf4j.simpleLogger.showThreadName", "false");
        setDefault("org.slf4j.simpleLogger.showShortLogName", "true");
        setDefault("org.slf4j.simpleLogger.levelInBrackets", "false");
        // Netty and gRPC are chatty at debug; their warnings still show.
        setDefault("org.slf4j.simpleLogger.log.io.netty", "warn");
        setDefault("org.slf4j.simpleLogger.log.io.grpc", "warn");
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
