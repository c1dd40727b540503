package dev.berth.runtime.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.common.exec.Command;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordStoreTest {

    record Sample(String id, int count, Map<String, String> labels) {
    }

    @TempDir
    Path dir;

    private RecordStore<Sample> store() {
        return new RecordStore<>(dir.resolve("things"), Sample.class, new ObjectMapper());
    }

    @Test
    void savedRecordsLoadBack() {
        RecordStore<Sample> store = store();
        store.save("a", new Sample("a", 1, Map.of("k", "v")));
        store.save("b", new Sample("b", 2, Map.of()));
        store.save("a", new Sample("a", 3, Map.of("k", "w")));
        RecordStore.Loaded<Sample> loaded = store().loadAll();
        assertEquals(Map.of("a", new Sample("a", 3, Map.of("k", "w")), "b", new Sample("b", 2, Map.of())),
                loaded.records());
        assertEquals(List.of(), loaded.orphans());
    }

    @Test
    void halfWrittenAndInvalidRecordsAreRemovedAndReported() throws Exception {
        RecordStore<Sample> store = store();
        store.save("good", new Sample("good", 1, Map.of()));
        Path bad = dir.resolve("things/bad");
        Files.createDirectories(bad);
        Files.writeString(bad.resolve("record.json"), "{\"id\": \"ba");
        Path empty = dir.resolve("things/empty");
        Files.createDirectories(empty);
        Path temp = dir.resolve("things/good/.record.json.tmp-7-7");
        Files.writeString(temp, "{");
        RecordStore.Loaded<Sample> loaded = store.loadAll();
        assertEquals(List.of("good"), List.copyOf(loaded.records().keySet()));
        assertEquals(List.of("bad", "empty"), loaded.orphans().stream().sorted().toList());
        assertFalse(Files.exists(bad.resolve("record.json")));
        assertFalse(Files.exists(temp));
    }

    @Test
    void deleteRemovesTheDirectory() {
        RecordStore<Sample> store = store();
        store.save("a", new Sample("a", 1, Map.of()));
        assertTrue(store.delete("a"));
        assertFalse(Files.exists(store.directoryOf("a")));
        assertTrue(store.delete("a"));
        assertTrue(store.loadAll().records().isEmpty());
    }

    @Test
    void deleteAlsoRemovesWhatElseTheDirectoryHolds() throws Exception {
        RecordStore<Sample> store = store();
        store.save("a", new Sample("a", 1, Map.of()));
        Files.createDirectories(store.directoryOf("a").resolve("files"));
        Files.writeString(store.directoryOf("a").resolve("files/hosts"), "127.0.0.1 localhost\n");
        assertTrue(store.delete("a"));
        assertFalse(Files.exists(store.directoryOf("a")));
    }

    @Test
    @Tag("host")
    void aDirectoryWithAMountInsideKeepsWhatIsMounted() throws Exception {
        RecordStore<Sample> store = store();
        store.save("a", new Sample("a", 1, Map.of()));
        Path mountPoint = store.directoryOf("a").resolve("shm");
        Files.createDirectories(mountPoint);
        Command.of("mount", "-t", "tmpfs", "tmpfs", mountPoint.toString()).check();
        try {
            Files.writeString(mountPoint.resolve("data"), "mounted");
            assertFalse(store.delete("a"));
            assertEquals("mounted", Files.readString(mountPoint.resolve("data")));
            assertFalse(Files.exists(store.directoryOf("a").resolve("record.json")));
        } finally {
            Command.of("umount", mountPoint.toString()).check();
        }
    }
}
