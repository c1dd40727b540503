package dev.berth.bench;

import java.util.List;
import org.slf4j.Logger;

/** Cleanup reports: what was swept is information, what could not be is a warning. */
final class CleanupNotes {

    private CleanupNotes() {
    }

    static void log(Logger log, String runtime, List<String> notes) {
        for (String note : notes) {
            if (note.startsWith("cannot") || note.startsWith("could not") || note.startsWith("left")
                    || note.startsWith("mounts remain") || note.contains("survived")) {
                log.warn("{} cleanup: {}", runtime, note);
            } else {
                log.info("{} cleanup: {}", runtime, note);
            }
        }
    }
}
