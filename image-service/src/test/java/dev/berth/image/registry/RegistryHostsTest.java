package dev.berth.image.registry;

import dev.berth.image.RegistryConfig;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RegistryHostsTest {

    @Test
    void dockerHubIsServedByRegistry1OverHttps() {
        assertEquals(List.of(new RegistryEndpoint(URI.create("https://registry-1.docker.io"), false)),
                new RegistryHosts(Map.of()).endpoints("docker.io"));
        assertEquals(List.of(new RegistryEndpoint(URI.create("https://quay.io"), false)),
                new RegistryHosts(Map.of()).endpoints("quay.io"));
    }

    @Test
    void mirrorsComeFirstInOrderThenTheRegistryUnlessSkipped() {
        URI a = URI.create("https://mirror-a.example");
        URI b = URI.create("http://127.0.0.1:5001/prefix");
        RegistryHosts hosts = new RegistryHosts(Map.of(
                "index.docker.io", new RegistryConfig(List.of(a, b), false, false),
                "127.0.0.1:5000", new RegistryConfig(List.of(b), true, true),
                "insecure.local:80", RegistryConfig.insecureRegistry()));
        assertEquals(List.of(new RegistryEndpoint(a, true), new RegistryEndpoint(b, true),
                new RegistryEndpoint(URI.create("https://registry-1.docker.io"), false)), hosts.endpoints("docker.io"));
        assertEquals(List.of(new RegistryEndpoint(b, true)), hosts.endpoints("127.0.0.1:5000"));
        assertEquals(List.of(new RegistryEndpoint(URI.create("http://insecure.local:80"), false)),
                hosts.endpoints("insecure.local:80"));
        assertEquals(URI.create("http://127.0.0.1:5001/prefix/v2/a/manifests/b"),
                new RegistryEndpoint(b, true).resolve("/v2/a/manifests/b"));
    }
}
