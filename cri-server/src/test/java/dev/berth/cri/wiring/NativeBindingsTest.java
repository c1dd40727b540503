package dev.berth.cri.wiring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.image.layer.NativeFs;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class NativeBindingsTest {

    @Test
    void theStoreGetsTheBindingMadeInTheBackgroundAndItWorks() throws Exception {
        Thread binding = NativeBindings.bindInBackground();
        assertTrue(binding.isDaemon(), "the binding thread must not hold up an exit");
        binding.join();

        NativeFs fs = NativeFs.load();
        assertSame(fs, NativeFs.load());
        assertEquals(NativeFs.S_IFDIR, fs.lstatIfExists(Path.of("/")).orElseThrow().type());
    }
}
