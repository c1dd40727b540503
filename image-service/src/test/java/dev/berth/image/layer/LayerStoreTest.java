package dev.berth.image.layer;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.common.fs.Trees;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LayerStoreTest {

    private final NativeFs fs = NativeFs.load();
    private final ObjectMapper json = new ObjectMapper();
    private Path dir;

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createTempDirectory("berth-layers-").resolve("overlay2");
    }

    @AfterEach
    void tearDown() {
        Trees.deleteRecursively(dir.getParent());
    }

    private LayerInfo info(String id) {
        return new LayerInfo(id, "sha256:" + id, "sha256:" + id, "", LayerStore.linkName(id), "sha256:" + id, 1, 4096,
                1, 0);
    }

    private static String id(char c) {
        return String.valueOf(c).repeat(64);
    }

    @Test
    void publishesLayersInTheOverlay2Layout() throws IOException {
        LayerStore store = new LayerStore(dir, fs, json, false);
        store.recover();
        IncompleteLayer base = store.begin(id('a'));
        Files.writeString(base.diff().resolve("f"), "a");
        store.commit(base, info(id('a')), List.of());
        IncompleteLayer top = store.begin(id('b'));
        store.commit(top, info(id('b')), List.of(id('a')));

        Path a = dir.resolve(id('a'));
        assertEquals(LayerStore.linkName(id('a')), Files.readString(a.resolve("link")));
        assertFalse(Files.exists(a.resolve("lower")));
        assertEquals("l/" + LayerStore.linkName(id('a')), Files.readString(dir.resolve(id('b')).resolve("lower")));
        Path link = dir.resolve("l").resolve(LayerStore.linkName(id('a')));
        assertEquals(Path.of("..", id('a'), "diff"), Files.readSymbolicLink(link));
        assertEquals("a", Files.readString(link.resolve("f")));
        assertEquals("l/" + LayerStore.linkName(id('b')) + ":l/" + LayerStore.linkName(id('a')),
                store.lowerDirOption(List.of(id('a'), id('b'))));
        assertTrue(isEmpty(dir.resolve("incomplete")));
    }

    @Test
    void recoveryRemovesLeftoversAndRepairsLinks() throws IOException {
        LayerStore store = new LayerStore(dir, fs, json, false);
        store.recover();
        store.commit(store.begin(id('a')), info(id('a')), List.of());
        IncompleteLayer unfinished = store.begin(id('c'));
        Files.writeString(unfinished.diff().resolve("half"), "x");
        Files.delete(dir.resolve("l").resolve(LayerStore.linkName(id('a'))));
        Files.createSymbolicLink(dir.resolve("l").resolve("DANGLING"), Path.of("..", id('d'), "diff"));
        Files.createDirectories(dir.resolve(id('e')).resolve("diff")); // no layer.json: damaged

        LayerStore reopened = new LayerStore(dir, fs, json, false);
        reopened.recover();
        assertTrue(reopened.contains(id('a')));
        assertFalse(reopened.contains(id('c')));
        assertFalse(reopened.contains(id('e')));
        assertFalse(Files.exists(dir.resolve(id('e'))));
        assertTrue(isEmpty(dir.resolve("incomplete")));
        assertTrue(Files.isSymbolicLink(dir.resolve("l").resolve(LayerStore.linkName(id('a')))));
        assertFalse(Files.exists(dir.resolve("l").resolve("DANGLING"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void secondCommitOfTheSameLayerIsDropped() throws IOException {
        LayerStore store = new LayerStore(dir, fs, json, true);
        store.recover();
        IncompleteLayer first = store.begin(id('a'));
        IncompleteLayer second = store.begin(id('a'));
        Files.writeString(first.diff().resolve("f"), "first");
        Files.writeString(second.diff().resolve("f"), "second");
        store.commit(first, info(id('a')), List.of());
        store.commit(second, info(id('a')), List.of());
        assertEquals("first", Files.readString(dir.resolve(id('a')).resolve("diff/f")));
        assertTrue(isEmpty(dir.resolve("incomplete")));
        store.remove(id('a'));
        assertFalse(Files.exists(dir.resolve(id('a'))));
        assertFalse(Files.exists(dir.resolve("l").resolve(LayerStore.linkName(id('a'))), LinkOption.NOFOLLOW_LINKS));
        assertTrue(isEmpty(dir.resolve("incomplete")));
    }

    private static boolean isEmpty(Path directory) throws IOException {
        try (var s = Files.list(directory)) {
            return s.findAny().isEmpty();
        }
    }
}
