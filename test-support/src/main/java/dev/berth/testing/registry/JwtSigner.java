package dev.berth.testing.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.cert.CertificateEncodingException;
import java.util.Arrays;
import java.util.Base64;

/**
 * Signs registry tokens as distribution 2.8 verifies them: RS256, the signing certificate in {@code x5c} (checked
 * against rootcertbundle) and a libtrust-style {@code kid} (its fallback when there is no x5c).
 */
final class JwtSigner {

    private final SigningKey key;
    private final ObjectMapper mapper = new ObjectMapper();
    private final String keyId;
    private final String certificate;

    JwtSigner(SigningKey key) {
        this.key = key;
        this.keyId = libtrustKeyId(key.certificate().getPublicKey().getEncoded());
        try {
            this.certificate = Base64.getEncoder().encodeToString(key.certificate().getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    String keyId() {
        return keyId;
    }

    String sign(ObjectNode claims) {
        return sign(claims, true);
    }

    /** Without the chain the registry must find the key by {@code kid} among its root certificates' keys. */
    String sign(ObjectNode claims, boolean withCertificateChain) {
        ObjectNode header = mapper.createObjectNode();
        header.put("typ", "JWT");
        header.put("alg", "RS256");
        header.put("kid", keyId);
        if (withCertificateChain) {
            header.putArray("x5c").add(certificate);
        }
        String signingInput = encode(json(header)) + "." + encode(json(claims));
        try {
            Signature signature = Signature.getInstance("SHA256withRSA");
            signature.initSign(key.privateKey());
            signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + encode(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign token", e);
        }
    }

    ObjectNode newClaims() {
        return mapper.createObjectNode();
    }

    /**
     * libtrust's key ID: the first 240 bits of sha256(SubjectPublicKeyInfo DER), base32, in twelve
     * colon-separated groups of four.
     */
    static String libtrustKeyId(byte[] subjectPublicKeyInfo) {
        byte[] hash;
        try {
            hash = MessageDigest.getInstance("SHA-256").digest(subjectPublicKeyInfo);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        String base32 = base32(Arrays.copyOf(hash, 30));
        StringBuilder id = new StringBuilder();
        for (int i = 0; i < base32.length(); i += 4) {
            if (i > 0) {
                id.append(':');
            }
            id.append(base32, i, i + 4);
        }
        return id.toString();
    }

    /** RFC 4648 base32 of a length divisible by 5, so no padding arises. */
    private static String base32(byte[] data) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        StringBuilder out = new StringBuilder();
        int buffer = 0;
        int bits = 0;
        for (byte b : data) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                out.append(alphabet.charAt((buffer >> (bits - 5)) & 31));
                bits -= 5;
            }
        }
        return out.toString();
    }

    private byte[] json(ObjectNode node) {
        try {
            return mapper.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String encode(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
