package dev.berth.runtime.store;

import dev.berth.common.error.BerthException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Objects by ID, found by any unique prefix of it (crictl passes truncated IDs).
 *
 * <p>An ambiguous prefix is the caller's mistake, so it is INVALID_ARGUMENT naming the count, not NOT_FOUND: a
 * Stop/Remove that treats NOT_FOUND as "already gone" must not silently succeed on a prefix that matches two live
 * objects. An empty ID is INVALID_ARGUMENT too.
 */
public final class IdIndex<V> {

    private final String kind;
    private final ConcurrentSkipListMap<String, V> byId = new ConcurrentSkipListMap<>();

    /** @param kind what the IDs name, for messages ("container", "pod sandbox") */
    public IdIndex(String kind) {
        this.kind = kind;
    }

    public void put(String id, V value) {
        byId.put(id, value);
    }

    public void remove(String id) {
        byId.remove(id);
    }

    /** The object whose ID is or starts with {@code idOrPrefix}; empty when none does. */
    public Optional<V> find(String idOrPrefix) {
        if (idOrPrefix == null || idOrPrefix.isEmpty()) {
            throw BerthException.invalidArgument(kind + " ID must not be empty");
        }
        V exact = byId.get(idOrPrefix);
        if (exact != null) {
            return Optional.of(exact);
        }
        ConcurrentNavigableMap<String, V> matches = byId.subMap(idOrPrefix, true, idOrPrefix + Character.MAX_VALUE,
                true);
        Map.Entry<String, V> first = matches.firstEntry();
        if (first == null) {
            return Optional.empty();
        }
        Map.Entry<String, V> second = matches.higherEntry(first.getKey());
        if (second != null) {
            throw BerthException.invalidArgument(kind + " ID prefix " + idOrPrefix + " is ambiguous: it matches "
                    + matches.size() + " " + kind + "s");
        }
        return Optional.of(first.getValue());
    }

    /** Like {@link #find} but NOT_FOUND when nothing matches. */
    public V get(String idOrPrefix) {
        return find(idOrPrefix).orElseThrow(() -> BerthException.notFound(kind + " " + idOrPrefix + " not found"));
    }

    /** Every object whose ID starts with the prefix (all of them for an empty prefix), for list filters. */
    public Collection<V> withPrefix(String prefix) {
        if (prefix == null || prefix.isEmpty()) {
            return List.copyOf(byId.values());
        }
        return List.copyOf(byId.subMap(prefix, true, prefix + Character.MAX_VALUE, true).values());
    }

    public Collection<V> all() {
        return List.copyOf(byId.values());
    }

    public int size() {
        return byId.size();
    }
}
