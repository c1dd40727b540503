package dev.berth.testing.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.testing.Http;
import dev.berth.testing.net.Listeners;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("host")
class TestRegistryTest {

    private final Http http = new Http();

    @Test
    void listensOnLoopbackOnlyAndAnswersV2() throws Exception {
        try (TestRegistry registry = TestRegistry.start()) {
            assertEquals("127.0.0.1:" + registry.port(), registry.address());
            List<String> listeners = Listeners.listeningAddresses(registry.port());
            assertEquals(List.of("127.0.0.1"), listeners, "only 127.0.0.1 may listen on the registry's port");
            assertTrue(Files.readString(registry.configFile()).contains("addr: \"127.0.0.1:" + registry.port()));

            HttpResponse<byte[]> response = http.get(registry.url("/v2/"));
            assertEquals(200, response.statusCode());
            assertEquals(Optional.of("registry/2.0"),
                    response.headers().firstValue("Docker-Distribution-Api-Version"));
            assertTrue(registry.authorization("any/repo").isEmpty());
        }
    }

    @Test
    void closeKillsTheProcessAndDeletesItsFiles() {
        TestRegistry registry = TestRegistry.start();
        long pid = registry.pid();
        int port = registry.port();
        Path storage = registry.storageDirectory();
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        assertTrue(ProcessHandle.of(pid).flatMap(h -> h.info().command()).orElse("").endsWith("docker-registry"));

        registry.close();

        assertFalse(registry.isAlive());
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "registry process survived");
        assertFalse(Files.exists(storage.getParent()), "registry directory left behind");
        assertEquals(List.of(), Listeners.listeningAddresses(port));
        registry.close(); // idempotent
    }

    @Test
    void twoRegistriesGetDifferentPorts() {
        try (TestRegistry first = TestRegistry.start(); TestRegistry second = TestRegistry.start()) {
            assertFalse(first.port() == second.port());
            assertEquals(200, http.get(second.url("/v2/")).statusCode());
        }
    }
}
