package dev.berth.common.error;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class RequestTextTest {

    @Test
    void aPathUpToPathMaxWithNamesUpTo255BytesIsKept() {
        String longest = ("/" + "a".repeat(254)).repeat(16) + "/" + "b".repeat(14);
        assertEquals(4095, longest.length());
        assertEquals(longest, RequestText.pathWithinLimits(longest, "f"));
        assertEquals("/x/" + "\u00e9".repeat(127), RequestText.pathWithinLimits("/x/" + "\u00e9".repeat(127), "f"));
    }

    @Test
    void aLongerPathOrNameIsInvalidNamingTheField() {
        BerthException path = assertThrows(BerthException.class,
                () -> RequestText.pathWithinLimits("/" + "a/".repeat(2048), "config.log_path"));
        assertEquals(BerthException.Kind.INVALID_ARGUMENT, path.kind());
        assertEquals("config.log_path is 4097 bytes long, longer than a path can be (4095 bytes)", path.getMessage());
        // 128 two-byte characters: 256 bytes in one element.
        BerthException name = assertThrows(BerthException.class,
                () -> RequestText.pathWithinLimits("/x/" + "\u00e9".repeat(128), "config.working_dir"));
        assertEquals("config.working_dir has an element longer than 255 bytes, the longest file name",
                name.getMessage());
    }
}
