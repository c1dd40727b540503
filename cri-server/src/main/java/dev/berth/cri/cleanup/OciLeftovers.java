package dev.berth.cri.cleanup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.common.exec.Command;
import dev.berth.common.exec.CommandResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The containers one OCI runtime handler still knows under berth's runtime root. Stopped ones are deleted (which
 * removes their cgroups); any other state means a workload still runs, and cleanup must not pull its namespaces and
 * mounts from under it.
 */
record OciLeftovers(String handler, Path binary, Path root) {

    private static final ObjectMapper JSON = new ObjectMapper();

    record Container(String id, String status) {
    }

    List<Container> list() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        CommandResult result = Command.of(binary.toString(), "--root", root.toString(), "list", "--format", "json")
                .run();
        if (!result.succeeded()) {
            throw new CleanupException(handler + " list under " + root + " failed: " + result.stderrText().strip());
        }
        List<Container> containers = new ArrayList<>();
        try {
            JsonNode list = JSON.readTree(result.stdoutText());
            if (list != null && list.isArray()) {
                list.forEach(c -> containers.add(new Container(c.path("id").asText(), c.path("status").asText())));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return containers;
    }

    void delete(Container container) {
        CommandResult result = Command.of(binary.toString(), "--root", root.toString(), "delete", "--force",
                container.id()).run();
        if (!result.succeeded()) {
            throw new CleanupException(handler + " delete " + container.id() + " failed: "
                    + result.stderrText().strip());
        }
    }
}
