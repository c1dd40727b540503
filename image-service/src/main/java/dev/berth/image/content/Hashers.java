package dev.berth.image.content;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.Security;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where content digests are computed: the system's NSS library through the JDK's own PKCS#11 provider when it is
 * there, else the JDK's Java implementation. Every pulled byte is hashed twice (blob, then diff ID); NSS does that
 * at ~1.1 GB/s whatever the JIT has compiled, where the Java code needs C2 to get close (the daemon runs C1 only, for
 * its footprint and warm-up, and would hash at ~70 MB/s).
 */
final class Hashers {

    private static final Logger LOG = LoggerFactory.getLogger(Hashers.class);
    private static final Provider NATIVE = nss();

    private Hashers() {
    }

    /** The provider's name ("SunPKCS11-NSS" when the native path is in use). */
    static String providerName() {
        return get("SHA-256").getProvider().getName();
    }

    static MessageDigest get(String jdkName) {
        try {
            return NATIVE != null ? MessageDigest.getInstance(jdkName, NATIVE) : MessageDigest.getInstance(jdkName);
        } catch (NoSuchAlgorithmException e) {
            try {
                return MessageDigest.getInstance(jdkName);
            } catch (NoSuchAlgorithmException missing) {
                throw new IllegalStateException("JDK without " + jdkName, missing);
            }
        }
    }

    private static Provider nss() {
        Provider pkcs11 = Security.getProvider("SunPKCS11");
        if (pkcs11 == null) {
            return null;
        }
        try {
            // No key database: digests only. The library comes from the system library path (Debian: libnss3).
            Provider nss = pkcs11.configure("--name=NSS\nnssDbMode=noDb\nattributes=compatibility\n");
            MessageDigest.getInstance("SHA-256", nss).digest(new byte[1]);
            return nss;
        } catch (RuntimeException | NoSuchAlgorithmException e) {
            LOG.info("NSS not usable for digests, using the JDK's: {}", e.getMessage());
            return null;
        }
    }
}
