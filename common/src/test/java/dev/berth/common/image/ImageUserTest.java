package dev.berth.common.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ImageUserTest {

    @Test
    void unsetUserIsRootWithItsOwnGroup() {
        assertEquals(ImageUser.UNSET, ImageUser.parse(""));
        assertEquals(ImageUser.UNSET, ImageUser.parse(null));
        assertTrue(ImageUser.UNSET.uid().isEmpty());
        assertTrue(ImageUser.UNSET.userName().isEmpty());
        assertFalse(ImageUser.UNSET.hasGroup());
    }

    @Test
    void numericUserAndGroup() {
        ImageUser user = ImageUser.parse("1003:1004");
        assertEquals(OptionalLong.of(1003), user.uid());
        assertEquals(OptionalLong.of(1004), user.gid());
        assertEquals(Optional.empty(), user.userName());
        assertTrue(user.hasGroup());
    }

    @Test
    void namedUserAndGroup() {
        ImageUser user = ImageUser.parse("www-data:staff");
        assertEquals(Optional.of("www-data"), user.userName());
        assertEquals(OptionalLong.empty(), user.uid());
        assertEquals("staff", user.group());
        assertEquals(OptionalLong.empty(), user.gid());
    }

    @Test
    void splitsAtTheFirstColonAndAnEmptyGroupIsNone() {
        assertEquals(new ImageUser("a", "b:c"), ImageUser.parse("a:b:c"));
        assertFalse(ImageUser.parse("berth:").hasGroup());
        ImageUser groupOnly = ImageUser.parse(":50");
        assertEquals("", groupOnly.user());
        assertEquals(OptionalLong.of(50), groupOnly.gid());
    }

    @Test
    void numbersBeyondThirtyTwoBitsAreNames() {
        assertEquals(OptionalLong.of(4294967295L), ImageUser.numericId("4294967295"));
        assertEquals(OptionalLong.empty(), ImageUser.numericId("4294967296"));
        assertEquals(OptionalLong.empty(), ImageUser.numericId("12345678901"));
        assertEquals(Optional.of("12345678901"), ImageUser.parse("12345678901").userName());
        assertEquals(OptionalLong.of(0), ImageUser.parse("0").uid());
    }
}
