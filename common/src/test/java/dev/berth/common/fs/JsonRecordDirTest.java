package dev.berth.common.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonRecordDirTest {

    record Sample(String id, int count) {
    }

    @TempDir
    Path dir;

    @Test
    void flatFilesAreWrittenReadListedAndDeleted() throws Exception {
        JsonRecordDir<Sample> files = JsonRecordDir.flat(dir.resolve("flat"), Sample.class, new ObjectMapper());
        assertTrue(Files.isDirectory(dir.resolve("flat")));
        files.write("a", new Sample("a", 1));
        files.write("a", new Sample("a", 2));
        files.write("b", new Sample("b", 3));
        assertEquals(Optional.of(new Sample("a", 2)), files.read("a"));
        assertEquals("{\"id\":\"b\",\"count\":3}", Files.readString(dir.resolve("flat/b.json")));
        assertEquals(List.of("a", "b"), files.ids().stream().sorted().toList());
        files.delete("a");
        files.delete("a");
        assertEquals(Optional.empty(), files.read("a"));
        assertEquals(List.of("b"), files.ids());
    }

    @Test
    void flatTempFilesAreNotIdsAndAreRemoved() throws Exception {
        JsonRecordDir<Sample> files = JsonRecordDir.flat(dir, Sample.class, new ObjectMapper());
        Path temp = dir.resolve(".a.json.tmp-7-7");
        Files.writeString(temp, "{");
        assertEquals(List.of(), files.ids());
        assertEquals(List.of(temp), files.removeTempFiles());
        assertFalse(Files.exists(temp));
    }

    @Test
    void perIdRecordsLiveInTheirIdsDirectory() throws Exception {
        JsonRecordDir<Sample> records = JsonRecordDir.perId(dir.resolve("things"), "record.json", Sample.class,
                new ObjectMapper());
        assertFalse(Files.exists(dir.resolve("things")));
        records.write("a", new Sample("a", 1));
        assertEquals(dir.resolve("things/a/record.json"), records.file("a"));
        assertTrue(Files.exists(records.file("a")));
        Files.createDirectories(dir.resolve("things/empty"));
        Path temp = dir.resolve("things/a/.record.json.tmp-7-7");
        Files.writeString(temp, "{");
        assertEquals(List.of("a", "empty"), records.ids().stream().sorted().toList());
        assertEquals(List.of(temp), records.removeTempFiles());
        assertEquals(Optional.of(new Sample("a", 1)), records.read("a"));
        assertEquals(Optional.empty(), records.read("empty"));
        records.delete("a");
        assertFalse(Files.exists(records.file("a")));
        assertTrue(Files.isDirectory(records.directoryOf("a")));
    }

    @Test
    void unparsableFilesThrow() throws Exception {
        JsonRecordDir<Sample> files = JsonRecordDir.flat(dir, Sample.class, new ObjectMapper());
        Files.writeString(dir.resolve("bad.json"), "{\"id\": \"ba");
        assertThrows(UncheckedIOException.class, () -> files.read("bad"));
    }
}
