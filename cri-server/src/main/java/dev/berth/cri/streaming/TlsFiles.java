package dev.berth.cri.streaming;

import dev.berth.cri.server.StartupException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.File;

/** The streaming server's TLS context from a PEM certificate chain and a PEM PKCS#8 private key. */
public final class TlsFiles {

    private TlsFiles() {
    }

    public static SslContext serverContext(String certFile, String keyFile) {
        try {
            return SslContextBuilder.forServer(new File(certFile), new File(keyFile)).build();
        } catch (Exception e) {
            throw new StartupException("cannot use streaming TLS files " + certFile + " and " + keyFile + ": "
                    + e.getMessage() + " (streaming.tls_cert_file: PEM certificate chain; streaming.tls_key_file: "
                    + "unencrypted PKCS#8 PEM key)", e);
        }
    }
}
