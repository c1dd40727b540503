package dev.berth.runtime.container;

import dev.berth.common.error.BerthException;
import java.util.Locale;
import java.util.Map;

/**
 * Linux signal names and numbers (x86-64/arm64 numbering). Accepts what images and the CRI write: {@code SIGTERM},
 * {@code TERM}, {@code 15}, {@code SIGRTMIN+3}, and the CRI enum's {@code SIGRTMINPLUS3}/{@code SIGRTMAXMINUS2}.
 */
public final class Signals {

    public static final int SIGKILL = 9;
    public static final int SIGTERM = 15;
    private static final int SIGRTMIN = 34;
    private static final int SIGRTMAX = 64;

    private static final Map<String, Integer> NUMBERS = Map.ofEntries(
            Map.entry("SIGHUP", 1), Map.entry("SIGINT", 2), Map.entry("SIGQUIT", 3), Map.entry("SIGILL", 4),
            Map.entry("SIGTRAP", 5), Map.entry("SIGABRT", 6), Map.entry("SIGIOT", 6), Map.entry("SIGBUS", 7),
            Map.entry("SIGFPE", 8), Map.entry("SIGKILL", 9), Map.entry("SIGUSR1", 10), Map.entry("SIGSEGV", 11),
            Map.entry("SIGUSR2", 12), Map.entry("SIGPIPE", 13), Map.entry("SIGALRM", 14), Map.entry("SIGTERM", 15),
            Map.entry("SIGSTKFLT", 16), Map.entry("SIGCHLD", 17), Map.entry("SIGCLD", 17), Map.entry("SIGCONT", 18),
            Map.entry("SIGSTOP", 19), Map.entry("SIGTSTP", 20), Map.entry("SIGTTIN", 21), Map.entry("SIGTTOU", 22),
            Map.entry("SIGURG", 23), Map.entry("SIGXCPU", 24), Map.entry("SIGXFSZ", 25), Map.entry("SIGVTALRM", 26),
            Map.entry("SIGPROF", 27), Map.entry("SIGWINCH", 28), Map.entry("SIGIO", 29), Map.entry("SIGPOLL", 29),
            Map.entry("SIGPWR", 30), Map.entry("SIGSYS", 31), Map.entry("SIGRTMIN", SIGRTMIN),
            Map.entry("SIGRTMAX", SIGRTMAX));

    private Signals() {
    }

    /** The signal's number; INVALID_ARGUMENT for a name Linux does not have. */
    public static int number(String signal) {
        String name = canonical(signal);
        if (name.startsWith("SIGRTMIN+")) {
            return SIGRTMIN + Integer.parseInt(name.substring("SIGRTMIN+".length()));
        }
        if (name.startsWith("SIGRTMAX-")) {
            return SIGRTMAX - Integer.parseInt(name.substring("SIGRTMAX-".length()));
        }
        return NUMBERS.get(name);
    }

    /** The signal's canonical name, e.g. {@code SIGTERM} or {@code SIGRTMIN+3}. */
    public static String canonical(String signal) {
        String s = signal == null ? "" : signal.strip().toUpperCase(Locale.ROOT);
        if (s.isEmpty()) {
            throw BerthException.invalidArgument("empty signal");
        }
        if (s.chars().allMatch(Character::isDigit)) {
            return nameOf(Integer.parseInt(s));
        }
        if (!s.startsWith("SIG")) {
            s = "SIG" + s;
        }
        s = s.replace("PLUS", "+").replace("MINUS", "-");
        if (NUMBERS.containsKey(s)) {
            return s;
        }
        try {
            if (s.startsWith("SIGRTMIN+")) {
                return nameOf(SIGRTMIN + Integer.parseInt(s.substring("SIGRTMIN+".length())));
            }
            if (s.startsWith("SIGRTMAX-")) {
                return nameOf(SIGRTMAX - Integer.parseInt(s.substring("SIGRTMAX-".length())));
            }
        } catch (NumberFormatException e) {
            // falls through to the error
        }
        throw BerthException.invalidArgument("unknown signal " + signal);
    }

    private static String nameOf(int number) {
        if (number <= 0 || number > SIGRTMAX) {
            throw BerthException.invalidArgument("signal number out of range: " + number);
        }
        if (number >= SIGRTMIN) {
            if (number == SIGRTMIN) {
                return "SIGRTMIN";
            }
            if (number == SIGRTMAX) {
                return "SIGRTMAX";
            }
            int fromMin = number - SIGRTMIN;
            int fromMax = SIGRTMAX - number;
            // The CRI enum spells the lower half from RTMIN and the upper half from RTMAX.
            return fromMin <= 15 ? "SIGRTMIN+" + fromMin : "SIGRTMAX-" + fromMax;
        }
        for (String preferred : new String[] {"SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
                "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM",
                "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
                "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"}) {
            if (NUMBERS.get(preferred) == number) {
                return preferred;
            }
        }
        throw BerthException.invalidArgument("signal number " + number + " has no name");
    }
}
