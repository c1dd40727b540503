package dev.berth.runtime.container;

import dev.berth.common.error.BerthException;
import dev.berth.runtime.store.IdIndex;
import dev.berth.runtime.store.KeyedLocks;
import dev.berth.runtime.store.NameReservations;
import dev.berth.runtime.store.RecordStore;
import java.util.Collection;
import java.util.Optional;

/**
 * The containers berth knows, in memory (List and Status never spawn anything: the kubelet's PLEG relists every
 * second) and persisted on every change.
 */
public final class ContainerRegistry {

    private final IdIndex<ContainerRecord> index = new IdIndex<>("container");
    private final RecordStore<ContainerRecord> store;
    private final NameReservations names = new NameReservations("container");
    private final KeyedLocks locks = new KeyedLocks();

    public ContainerRegistry(RecordStore<ContainerRecord> store) {
        this.store = store;
    }

    /** A container callers may see (not one still being created), by ID or unique prefix. */
    public Optional<ContainerRecord> find(String idOrPrefix) {
        return index.find(idOrPrefix).filter(c -> c.state() != ContainerState.CREATING);
    }

    /** Like {@link #find} but NOT_FOUND when there is none. */
    public ContainerRecord get(String idOrPrefix) {
        return find(idOrPrefix).orElseThrow(() -> BerthException.notFound("container " + idOrPrefix
                + " not found"));
    }

    /** The container with exactly this ID, whatever its state. */
    public Optional<ContainerRecord> byFullId(String id) {
        return index.find(id).filter(c -> c.id().equals(id));
    }

    public void save(ContainerRecord record) {
        store.save(record.id(), record);
        index.put(record.id(), record);
    }

    /** Serves a record loaded at startup without writing it again. */
    public void restore(ContainerRecord record) {
        index.put(record.id(), record);
    }

    public void delete(ContainerRecord record) {
        store.delete(record.id());
        index.remove(record.id());
        names.release(record.reservationName(), record.id());
    }

    /** Every container callers may see whose ID starts with the prefix. */
    public Collection<ContainerRecord> visible(String idPrefix) {
        return index.withPrefix(idPrefix).stream().filter(c -> c.state() != ContainerState.CREATING).toList();
    }

    /** Every container of a pod, in any state. */
    public Collection<ContainerRecord> ofSandbox(String sandboxId) {
        return index.all().stream().filter(c -> c.sandboxId().equals(sandboxId)).toList();
    }

    public Collection<ContainerRecord> all() {
        return index.all();
    }

    public RecordStore<ContainerRecord> store() {
        return store;
    }

    public NameReservations names() {
        return names;
    }

    /** Serializes the state changes of one container: start, exit handling, update, remove. */
    public KeyedLocks locks() {
        return locks;
    }
}
