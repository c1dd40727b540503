package dev.berth.runtime.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.error.BerthException;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdIndexTest {

    private final IdIndex<String> index = new IdIndex<>("container");

    @Test
    void findsByFullIdAndByUniquePrefix() {
        index.put("abc123", "first");
        index.put("abd456", "second");
        assertEquals("first", index.get("abc123"));
        assertEquals("first", index.get("abc"));
        assertEquals("second", index.get("abd"));
        assertTrue(index.find("abe").isEmpty());
        assertEquals(BerthException.Kind.NOT_FOUND, assertThrows(BerthException.class, () -> index.get("x")).kind());
    }

    @Test
    void anAmbiguousPrefixIsInvalidArgument() {
        index.put("abc123", "first");
        index.put("abd456", "second");
        BerthException e = assertThrows(BerthException.class, () -> index.find("ab"));
        assertEquals(BerthException.Kind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage().contains("ambiguous"));
        assertEquals(BerthException.Kind.INVALID_ARGUMENT, assertThrows(BerthException.class,
                () -> index.find("")).kind());
    }

    @Test
    void aFullIdThatIsAlsoAPrefixOfAnotherStillResolves() {
        index.put("abc", "short");
        index.put("abcdef", "long");
        assertEquals("short", index.get("abc"));
        assertEquals("long", index.get("abcd"));
    }

    @Test
    void prefixListingAndRemoval() {
        index.put("aa1", "1");
        index.put("aa2", "2");
        index.put("bb1", "3");
        assertEquals(List.of("1", "2"), List.copyOf(index.withPrefix("aa")));
        assertEquals(3, index.withPrefix("").size());
        index.remove("aa1");
        assertEquals("2", index.get("aa"));
        assertEquals(2, index.size());
    }

    @Test
    void idsAreSixtyFourHexCharacters() {
        Ids ids = new Ids();
        String id = ids.next();
        assertTrue(Ids.isFullId(id), id);
        assertTrue(!id.equals(ids.next()));
    }
}
