package dev.berth.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.common.image.ImageUser;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ImageConfigViewTest {

    private static ImageConfigView withUser(String user) {
        return new ImageConfigView(List.of(), List.of("sh"), List.of(), "", user, "", Map.of(), Set.of(), Set.of());
    }

    @Test
    void userIsParsedFromTheImagesText() {
        assertEquals(new ImageUser("www-data", "1004"), withUser("www-data:1004").imageUser());
        assertEquals(ImageUser.UNSET, withUser("").imageUser());
    }

    @Test
    void storedRecordsKeepOnlyTheImagesText() throws Exception {
        ObjectMapper json = new ObjectMapper();
        String written = json.writeValueAsString(withUser("1003:1004"));
        assertFalse(written.contains("imageUser"), written);
        ImageConfigView read = json.readValue(written, ImageConfigView.class);
        assertEquals("1003:1004", read.user());
        assertEquals(new ImageUser("1003", "1004"), read.imageUser());
    }
}
