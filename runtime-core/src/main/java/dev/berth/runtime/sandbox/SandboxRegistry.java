package dev.berth.runtime.sandbox;

import dev.berth.common.error.BerthException;
import dev.berth.runtime.store.IdIndex;
import dev.berth.runtime.store.KeyedLocks;
import dev.berth.runtime.store.NameReservations;
import dev.berth.runtime.store.RecordStore;
import java.util.Collection;
import java.util.Optional;

/**
 * The sandboxes berth knows, in memory (List and Status never touch the disk or spawn anything: the kubelet's PLEG
 * relists every second) and persisted on every change.
 */
public final class SandboxRegistry {

    private final IdIndex<SandboxRecord> index = new IdIndex<>("pod sandbox");
    private final RecordStore<SandboxRecord> store;
    private final NameReservations names = new NameReservations("pod sandbox");
    private final KeyedLocks locks = new KeyedLocks();

    public SandboxRegistry(RecordStore<SandboxRecord> store) {
        this.store = store;
    }

    /** A sandbox callers may see (not one still being created), by ID or unique prefix. */
    public Optional<SandboxRecord> find(String idOrPrefix) {
        return index.find(idOrPrefix).filter(s -> s.state() != SandboxState.CREATING);
    }

    /** Like {@link #find} but NOT_FOUND when there is none. */
    public SandboxRecord get(String idOrPrefix) {
        return find(idOrPrefix).orElseThrow(() -> BerthException.notFound(
                "pod sandbox " + idOrPrefix + " not found"));
    }

    /** The sandbox with exactly this ID, whatever its state. */
    public Optional<SandboxRecord> byFullId(String id) {
        return index.find(id).filter(s -> s.id().equals(id));
    }

    /** Persists the record, then makes it the one served from memory. */
    public void save(SandboxRecord record) {
        store.save(record.id(), record);
        index.put(record.id(), record);
    }

    /** Serves a record loaded at startup without writing it again. */
    public void restore(SandboxRecord record) {
        index.put(record.id(), record);
    }

    /** Forgets the sandbox: record, directory, name. */
    public void delete(SandboxRecord record) {
        store.delete(record.id());
        index.remove(record.id());
        names.release(record.metadata().reservationName(), record.id());
    }

    /** Every sandbox callers may see whose ID starts with the prefix. */
    public Collection<SandboxRecord> visible(String idPrefix) {
        return index.withPrefix(idPrefix).stream().filter(s -> s.state() != SandboxState.CREATING).toList();
    }

    public Collection<SandboxRecord> all() {
        return index.all();
    }

    public RecordStore<SandboxRecord> store() {
        return store;
    }

    public NameReservations names() {
        return names;
    }

    /** Serializes Run's last step, Stop and Remove of one sandbox. */
    public KeyedLocks locks() {
        return locks;
    }
}
