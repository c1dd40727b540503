package dev.berth.runtime.store;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One lock per object ID, so that Stop, Remove and a dying container's exit handling of the same object run one at
 * a time while different objects proceed in parallel. Locks are cheap and kept until {@link #forget}.
 */
public final class KeyedLocks {

    private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    public <T> T with(String key, Supplier<T> action) {
        ReentrantLock lock = locks.computeIfAbsent(key, k -> new ReentrantLock());
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    public void with(String key, Runnable action) {
        with(key, () -> {
            action.run();
            return null;
        });
    }

    /** Drops the lock of a removed object (a late holder still works: it just gets a fresh lock). */
    public void forget(String key) {
        locks.remove(key);
    }
}
