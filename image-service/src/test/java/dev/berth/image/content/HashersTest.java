package dev.berth.image.content;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HashersTest {

    @Test
    void digestsComeFromNssAndAgreeWithTheJdk() throws Exception {
        // install-deps.sh installs libnss3: without it pulls would hash at C1 speed.
        assertEquals("SunPKCS11-NSS", Hashers.providerName());
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                HexFormat.of().formatHex(Hashers.get("SHA-256").digest("abc".getBytes(StandardCharsets.US_ASCII))));

        byte[] content = new byte[1 << 20];
        new Random(7).nextBytes(content);
        MessageDigest nss = Hashers.get("SHA-512");
        for (int offset = 0; offset < content.length; offset += 1000) {
            nss.update(content, offset, Math.min(1000, content.length - offset));
        }
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(content)),
                HexFormat.of().formatHex(nss.digest()));
    }
}
