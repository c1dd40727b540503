package dev.berth.testing.registry;

import dev.berth.common.exec.Command;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;

/** An RSA key and its self-signed certificate (made by the openssl CLI), the PEM kept for rootcertbundle. */
record SigningKey(PrivateKey privateKey, X509Certificate certificate, Path certificatePem) {

    static SigningKey generate(Path directory) {
        Path key = directory.resolve("token-key.pem");
        Path cert = directory.resolve("token-cert.pem");
        Command.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "2",
                        "-subj", "/CN=berth test token issuer",
                        "-keyout", key.toString(), "-out", cert.toString())
                .withTimeout(Duration.ofSeconds(30))
                .check();
        try {
            byte[] der = pemBody(Files.readString(key, StandardCharsets.US_ASCII), "PRIVATE KEY");
            PrivateKey privateKey = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
            X509Certificate certificate;
            try (InputStream in = Files.newInputStream(cert)) {
                certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            }
            return new SigningKey(privateKey, certificate, cert);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read generated key", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("openssl made a key Java cannot load", e);
        }
    }

    private static byte[] pemBody(String pem, String label) {
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int from = pem.indexOf(begin);
        int to = pem.indexOf(end);
        if (from < 0 || to < 0) {
            throw new IllegalStateException("no " + label + " block in PEM");
        }
        return Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
    }
}
