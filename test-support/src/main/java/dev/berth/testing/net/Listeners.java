package dev.berth.testing.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Listening TCP sockets on a port, read from /proc/net/tcp{,6}: local addresses as the kernel reports them. */
public final class Listeners {

    private Listeners() {
    }

    /**
     * Local addresses of LISTEN sockets on {@code port}, e.g. {@code 127.0.0.1}; IPv4-mapped IPv6 addresses come
     * out as IPv4, so a Java server bound to 127.0.0.1 through a dual-stack socket also reads {@code 127.0.0.1}.
     */
    public static List<String> listeningAddresses(int port) {
        List<String> addresses = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of(table));
            } catch (IOException e) {
                if (table.endsWith("6")) {
                    continue; // no IPv6 on this host
                }
                throw new UncheckedIOException(e);
            }
            for (String line : lines.subList(1, lines.size())) {
                String[] fields = line.trim().split("\\s+");
                String[] local = fields[1].split(":");
                boolean listening = fields[3].equals("0A");
                if (listening && Integer.parseInt(local[1], 16) == port) {
                    addresses.add(decode(local[0]));
                }
            }
        }
        return addresses;
    }

    /** /proc prints addresses as 32-bit words in host (little-endian) order. */
    private static String decode(String hex) {
        byte[] bytes = new byte[hex.length() / 2];
        for (int word = 0; word < bytes.length / 4; word++) {
            for (int i = 0; i < 4; i++) {
                int at = word * 8 + (3 - i) * 2;
                bytes[word * 4 + i] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
            }
        }
        try {
            return InetAddress.getByAddress(bytes).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(hex, e);
        }
    }
}
