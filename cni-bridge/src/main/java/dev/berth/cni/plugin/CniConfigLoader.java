package dev.berth.cni.plugin;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Finds the network config list in the conf dir: files ending .conflist, .conf or .json, first valid one by name. */
final class CniConfigLoader {

    private static final Logger LOG = LoggerFactory.getLogger(CniConfigLoader.class);
    private static final List<String> EXTENSIONS = List.of(".conflist", ".conf", ".json");

    private final Path confDir;
    private final ObjectMapper json;

    CniConfigLoader(Path confDir, ObjectMapper json) {
        this.confDir = confDir;
        this.json = json;
    }

    ConfDirState load() {
        List<Path> candidates;
        try (Stream<Path> files = Files.list(confDir)) {
            candidates = files.filter(CniConfigLoader::isCandidate).sorted().toList();
        } catch (IOException e) {
            return ConfDirState.empty("no network config: cannot list " + confDir + ": " + e.getMessage());
        }
        if (candidates.isEmpty()) {
            return ConfDirState.empty("no network config found in " + confDir);
        }
        String firstProblem = "";
        for (Path file : candidates) {
            try {
                CniConfigList list = CniConfigList.fromJson(json.readTree(file.toFile()), file.toString());
                return new ConfDirState(Optional.of(list), true, "");
            } catch (IOException | IllegalArgumentException e) {
                LOG.warn("network config skipped file={} error={}", file, e.getMessage());
                if (firstProblem.isEmpty()) {
                    firstProblem = "invalid network config " + file + ": " + e.getMessage();
                }
            }
        }
        return new ConfDirState(Optional.empty(), true, firstProblem);
    }

    private static boolean isCandidate(Path file) {
        String name = file.getFileName().toString();
        return !name.startsWith(".") && EXTENSIONS.stream().anyMatch(name::endsWith) && Files.isRegularFile(file);
    }
}
