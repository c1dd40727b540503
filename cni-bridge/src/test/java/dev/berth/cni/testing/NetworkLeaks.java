package dev.berth.cni.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.common.exec.CommandResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Counts what a pod network leaves on the host, to compare before and after. */
public final class NetworkLeaks {

    private static final ObjectMapper JSON = new ObjectMapper();

    private NetworkLeaks() {
    }

    /** Files in a dir, without lock files, "last reserved" hints and temp files. */
    public static long allocationFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> !n.startsWith(".") && !n.equals("lock") && !n.startsWith("last_reserved"))
                    .count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static long bridgePorts(String bridge) {
        Path brif = Path.of("/sys/class/net", bridge, "brif");
        if (!Files.isDirectory(brif)) {
            return 0;
        }
        try (Stream<Path> ports = Files.list(brif)) {
            return ports.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Host ports programmed in the table's maps (0 when the table does not exist). */
    public static long nftElements(String table) {
        CommandResult result = HostFixture.onHost("nft", "-j", "list", "table", "inet", table);
        if (!result.succeeded()) {
            return 0;
        }
        try {
            long count = 0;
            for (JsonNode entry : JSON.readTree(result.stdout()).path("nftables")) {
                count += entry.path("map").path("elem").size();
            }
            return count;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static boolean nftTableExists(String table) {
        return HostFixture.onHost("nft", "list", "table", "inet", table).succeeded();
    }

    public static boolean linkExists(String link) {
        return Files.exists(Path.of("/sys/class/net", link));
    }
}
