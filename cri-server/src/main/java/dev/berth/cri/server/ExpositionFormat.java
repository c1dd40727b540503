package dev.berth.cri.server;

import java.util.Locale;

/** The two formats /metrics speaks, chosen from the scraper's Accept header. */
enum ExpositionFormat {
    TEXT("text/plain; version=0.0.4; charset=utf-8"),
    OPENMETRICS("application/openmetrics-text; version=1.0.0; charset=utf-8");

    private final String contentType;

    ExpositionFormat(String contentType) {
        this.contentType = contentType;
    }

    String contentType() {
        return contentType;
    }

    /**
     * OpenMetrics when the scraper lists it with a non-zero quality (Prometheus sends it first, text as the
     * fallback); the Prometheus text format otherwise, also for no or an unknown Accept header.
     */
    static ExpositionFormat negotiate(String accept) {
        if (accept == null) {
            return TEXT;
        }
        for (String range : accept.split(",")) {
            String[] parts = range.trim().toLowerCase(Locale.ROOT).split(";");
            if (!parts[0].trim().equals("application/openmetrics-text")) {
                continue;
            }
            boolean refused = false;
            for (int i = 1; i < parts.length; i++) {
                String param = parts[i].trim();
                if (param.startsWith("q=")) {
                    try {
                        refused = Double.parseDouble(param.substring(2)) <= 0;
                    } catch (NumberFormatException e) {
                        refused = true;
                    }
                }
            }
            if (!refused) {
                return OPENMETRICS;
            }
        }
        return TEXT;
    }
}
