package dev.berth.cni.builtin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.common.exec.Command;
import dev.berth.common.exec.CommandResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Runs nftables: scripts through {@code nft -f -} (one atomic transaction each) and JSON listings. */
final class Nft {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final ObjectMapper json;

    Nft(ObjectMapper json) {
        this.json = json;
    }

    /** Applies the script as one transaction: all of it or nothing. */
    void apply(String script) {
        Command.of("nft", "-f", "-").withStdin(script.getBytes(StandardCharsets.UTF_8)).withTimeout(TIMEOUT)
                .check();
    }

    /** {@code nft -j list <what…>}, or empty when the object does not exist. */
    Optional<JsonNode> list(String... what) {
        List<String> argv = new ArrayList<>(List.of("nft", "-j", "list"));
        argv.addAll(List.of(what));
        CommandResult result = Command.of(argv).withTimeout(TIMEOUT).run();
        if (!result.succeeded()) {
            return Optional.empty();
        }
        try {
            return Optional.of(json.readTree(result.stdout()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse nft output", e);
        }
    }
}
