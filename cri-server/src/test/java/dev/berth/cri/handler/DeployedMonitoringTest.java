package dev.berth.cri.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.cri.testing.BerthServerExtension;
import dev.berth.cri.testing.MetricsScrape;
import dev.berth.proto.runtime.v1.ContainerState;
import dev.berth.proto.runtime.v1.ImageSpec;
import dev.berth.proto.runtime.v1.PullImageRequest;
import dev.berth.testing.image.PushedImage;
import dev.berth.testing.registry.TestRegistry;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * deploy/grafana-dashboard.json and deploy/prometheus-alerts.yml name only series a running berth exposes: after a
 * pull, a failed pull and a pod's life, every berth_ name they use is in a real scrape.
 */
@Tag("host")
class DeployedMonitoringTest {

    static final Path DEPLOY = Path.of("..", "deploy").toAbsolutePath().normalize();
    static final Pattern METRIC = Pattern.compile("\\bberth_[a-z0-9_]+");

    static final TestRegistry registry = TestRegistry.start();

    @RegisterExtension
    static final BerthServerExtension berth = BerthServerExtension.create()
            .withToml("[registry.\"" + registry.address() + "\"]\ninsecure = true\n");

    @AfterAll
    static void checkLeftovers() {
        registry.close();
        berth.stopDaemon();
        berth.assertNothingLeft();
    }

    @Test
    void everyMetricTheDashboardAndAlertsNameIsScraped() throws Exception {
        PushedImage busybox = berth.pullBusybox(registry, "deploy/busybox");
        try {
            berth.client().images().pullImage(PullImageRequest.newBuilder().setImage(ImageSpec.newBuilder()
                    .setImage(registry.address() + "/deploy/missing:v1")).build());
        } catch (StatusRuntimeException expected) {
            // a failed pull, so that the failure series exist
        }
        MetricsScrape scrape;
        try (TestPod pod = TestPod.run(berth, busybox.imageId(), "deploy", false)) {
            String id = pod.run(pod.container("done", "sh", "-c", "sleep 1"));
            pod.await(id, ContainerState.CONTAINER_EXITED);
            // The daemon runs in this JVM; the GC pause series exists once a collection has happened, as it has on
            // any daemon that has served a while.
            System.gc();
            scrape = MetricsScrape.of(berth.daemon().metricsAddress().orElseThrow());
            pod.remove(id);
        }

        JsonNode dashboard = new ObjectMapper().readTree(DEPLOY.resolve("grafana-dashboard.json").toFile());
        List<String> expressions = new ArrayList<>();
        dashboard.path("panels").forEach(panel -> panel.path("targets")
                .forEach(target -> expressions.add(target.path("expr").asText())));
        dashboard.path("templating").path("list").forEach(variable -> expressions.add(variable.path("query")
                .asText()));
        assertTrue(expressions.size() > 10, "the dashboard has panels with queries");
        Set<String> dashboardNames = names(expressions);

        List<String> alertExpressions = new ArrayList<>();
        List<String> alertNames = new ArrayList<>();
        for (String line : Files.readAllLines(DEPLOY.resolve("prometheus-alerts.yml"))) {
            String trimmed = line.trim();
            if (trimmed.startsWith("expr:")) {
                alertExpressions.add(trimmed.substring("expr:".length()));
            } else if (trimmed.startsWith("- alert:")) {
                alertNames.add(trimmed.substring("- alert:".length()).trim());
            }
        }
        assertEquals(alertNames.size(), alertExpressions.size(), "every alert has one expression");
        assertTrue(alertNames.containsAll(List.of("BerthPodsStuckCreating", "BerthCniErrors",
                "BerthImagePullFailures", "BerthContainerEventsDropped")), alertNames.toString());
        Set<String> alertMetricNames = names(alertExpressions);

        Set<String> missing = new TreeSet<>();
        for (String name : union(dashboardNames, alertMetricNames)) {
            if (!scrape.names().contains(name)) {
                missing.add(name);
            }
        }
        assertEquals(Set.of(), missing, "named in deploy/ but not exposed; exposed: " + scrape.names());
    }

    private static Set<String> names(List<String> expressions) {
        Set<String> names = new TreeSet<>();
        for (String expression : expressions) {
            Matcher matcher = METRIC.matcher(expression);
            while (matcher.find()) {
                names.add(matcher.group());
            }
        }
        return names;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new TreeSet<>(a);
        all.addAll(b);
        return all;
    }
}
