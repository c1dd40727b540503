package dev.berth.testing.registry;

import java.util.Arrays;
import java.util.List;

/** One resource-actions grant of a registry token, and the {@code type:name:actions} scope that asks for it. */
public record Access(String type, String name, List<String> actions) {

    public Access {
        actions = List.copyOf(actions);
    }

    public static Access repository(String name, String... actions) {
        return new Access("repository", name, Arrays.asList(actions));
    }

    /** Parses {@code repository:library/busybox:pull,push}; the name may itself hold colons. */
    public static Access parse(String scope) {
        int first = scope.indexOf(':');
        int last = scope.lastIndexOf(':');
        if (first < 0 || last == first) {
            throw new IllegalArgumentException("bad scope: " + scope);
        }
        String actions = scope.substring(last + 1);
        return new Access(scope.substring(0, first), scope.substring(first + 1, last),
                actions.isEmpty() ? List.of() : Arrays.asList(actions.split(",")));
    }

    public String scope() {
        return type + ":" + name + ":" + String.join(",", actions);
    }
}
