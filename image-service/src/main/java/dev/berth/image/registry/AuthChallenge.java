package dev.berth.image.registry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One {@code WWW-Authenticate} challenge: a scheme ({@code bearer}, {@code basic}) and its parameters
 * ({@code realm}, {@code service}, {@code scope}, {@code error}).
 */
public record AuthChallenge(String scheme, Map<String, String> params) {

    public AuthChallenge {
        scheme = scheme.toLowerCase(Locale.ROOT);
        params = Map.copyOf(params);
    }

    public boolean isBearer() {
        return scheme.equals("bearer");
    }

    public boolean isBasic() {
        return scheme.equals("basic");
    }

    public Optional<String> param(String name) {
        return Optional.ofNullable(params.get(name));
    }

    /** Parses every challenge from the header values; malformed parts are skipped. */
    public static List<AuthChallenge> parse(List<String> headerValues) {
        List<AuthChallenge> out = new ArrayList<>();
        for (String value : headerValues) {
            new Parser(value).parseInto(out);
        }
        return out;
    }

    /** The strongest usable challenge: bearer before basic. */
    public static Optional<AuthChallenge> preferred(List<AuthChallenge> challenges) {
        return challenges.stream().filter(AuthChallenge::isBearer).findFirst()
                .or(() -> challenges.stream().filter(AuthChallenge::isBasic).findFirst());
    }

    /** A small tokenizer for {@code scheme k=v, k="quoted, \"v\"", scheme2 k=v}. */
    private static final class Parser {
        private final String s;
        private int i;

        Parser(String s) {
            this.s = s;
        }

        void parseInto(List<AuthChallenge> out) {
            skipSpaceAndCommas();
            while (i < s.length()) {
                String scheme = token();
                if (scheme.isEmpty()) {
                    return;
                }
                Map<String, String> params = new LinkedHashMap<>();
                while (true) {
                    skipSpaceAndCommas();
                    int mark = i;
                    String key = token();
                    skipSpace();
                    if (key.isEmpty() || i >= s.length() || s.charAt(i) != '=') {
                        i = mark; // a new scheme starts here
                        break;
                    }
                    i++;
                    skipSpace();
                    params.put(key.toLowerCase(Locale.ROOT), value());
                }
                out.add(new AuthChallenge(scheme, params));
                skipSpaceAndCommas();
            }
        }

        private String token() {
            int start = i;
            while (i < s.length() && "\t ,=\"".indexOf(s.charAt(i)) < 0) {
                i++;
            }
            return s.substring(start, i);
        }

        private String value() {
            if (i < s.length() && s.charAt(i) == '"') {
                StringBuilder b = new StringBuilder();
                i++;
                while (i < s.length() && s.charAt(i) != '"') {
                    char c = s.charAt(i++);
                    if (c == '\\' && i < s.length()) {
                        c = s.charAt(i++);
                    }
                    b.append(c);
                }
                i++;
                return b.toString();
            }
            return token();
        }

        private void skipSpace() {
            while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
                i++;
            }
        }

        private void skipSpaceAndCommas() {
            while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == ',')) {
                i++;
            }
        }
    }
}
