package dev.berth.runtime.store;

import dev.berth.common.error.BerthException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Unique names (a pod's {@code name_namespace_uid_attempt}, a container's name within its pod) and what to do when
 * two requests ask for the same one.
 *
 * <ul>
 *   <li>A retry of the same request (same name, same request fingerprint) while the first still runs waits for the
 *       first and returns its result, or its error. This is the kubelet's retry after a DeadlineExceeded, which
 *       containerd answers with "name is reserved", which
 *       leaves the kubelet retrying until the first call is forgotten.</li>
 *   <li>The same request after the first finished gets the first's ID too: the kubelet never saw it.</li>
 *   <li>A different request for a taken name is ALREADY_EXISTS, naming the holder.</li>
 * </ul>
 * A name is released when its holder is removed or its creation failed.
 */
public final class NameReservations {

    private final String kind;
    private final Map<String, Reservation> byName = new HashMap<>();

    /** @param kind what the names name, for messages */
    public NameReservations(String kind) {
        this.kind = kind;
    }

    /** The work that creates the named object under the given ID. */
    @FunctionalInterface
    public interface Creation {
        void create();
    }

    /**
     * Creates the object under {@code name}, unless the name is taken.
     *
     * @param id the ID the new object gets; returned when this call creates it
     * @return the ID of the object the name stands for: the new one, or the first call's for a retry
     */
    public String reserve(String name, String fingerprint, String id, Creation creation) {
        Reservation mine = new Reservation(id, fingerprint, new CompletableFuture<>());
        Reservation existing;
        synchronized (this) {
            existing = byName.putIfAbsent(name, mine);
        }
        if (existing != null) {
            return joinExisting(name, fingerprint, existing);
        }
        try {
            creation.create();
        } catch (RuntimeException | Error e) {
            synchronized (this) {
                byName.remove(name, mine);
            }
            mine.done().completeExceptionally(e);
            throw e;
        }
        mine.done().complete(id);
        return id;
    }

    private String joinExisting(String name, String fingerprint, Reservation existing) {
        if (!existing.fingerprint().equals(fingerprint)) {
            String state = existing.done().isDone() ? "" : " (still being created)";
            throw BerthException.alreadyExists(kind + " name " + name + " is reserved for " + kind + " "
                    + existing.id() + state);
        }
        try {
            return existing.done().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BerthException(BerthException.Kind.CANCELLED, "interrupted while waiting for the first "
                    + "request that creates " + kind + " " + name);
        } catch (CancellationException e) {
            throw new BerthException(BerthException.Kind.CANCELLED, "the first request that creates " + kind + " "
                    + name + " was cancelled");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof BerthException b) {
                // A copy: the original belongs to the first caller's thread.
                throw new BerthException(b.kind(), b.getMessage(), b);
            }
            throw BerthException.internal("the first request that creates " + kind + " " + name + " failed: "
                    + cause.getMessage(), cause);
        }
    }

    /** Records a name already held by a live object (recovery). */
    public synchronized void claim(String name, String id, String fingerprint) {
        byName.put(name, new Reservation(id, fingerprint, CompletableFuture.completedFuture(id)));
    }

    /** Frees the name if {@code id} holds it; a name held by someone else is left alone. */
    public synchronized void release(String name, String id) {
        Reservation current = byName.get(name);
        if (current != null && current.id().equals(id)) {
            byName.remove(name);
        }
    }

    /** The ID holding the name, if any. */
    public synchronized Optional<String> holder(String name) {
        return Optional.ofNullable(byName.get(name)).map(Reservation::id);
    }

    private record Reservation(String id, String fingerprint, CompletableFuture<String> done) {
    }
}
