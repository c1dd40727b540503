package dev.berth.runtime.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import dev.berth.common.net.DnsSettings;
import dev.berth.common.net.PortMapping;
import dev.berth.proto.runtime.v1.Int64Value;
import dev.berth.proto.runtime.v1.LinuxPodSandboxConfig;
import dev.berth.proto.runtime.v1.LinuxSandboxSecurityContext;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.proto.runtime.v1.PodSandboxMetadata;
import dev.berth.runtime.container.ContainerRecord;
import dev.berth.runtime.container.ContainerState;
import dev.berth.runtime.container.ImageName;
import dev.berth.runtime.container.MountSpec;
import dev.berth.runtime.container.ProcessUser;
import dev.berth.runtime.container.ResourceLimits;
import dev.berth.runtime.sandbox.NamespaceMode;
import dev.berth.runtime.sandbox.NamespaceModes;
import dev.berth.runtime.sandbox.SandboxMetadata;
import dev.berth.runtime.sandbox.SandboxRecord;
import dev.berth.runtime.sandbox.SandboxState;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records on disk outlive the berth that wrote them: the files under {@code records/} were written by berth 0.1.0
 * (every field set), and this berth must load them as they were and write them back in the same shape, so that a
 * rollback to the older berth reads them too. Such sandbox records have no stored pod config.
 */
class RecordFormatTest {

    private static final String CONTAINER_ID = "c".repeat(64);
    private static final String SANDBOX_ID = "s".repeat(64);

    // As CoreAssembly builds it for the record stores.
    private final ObjectMapper mapper = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    @TempDir
    Path dir;

    @Test
    void aContainerRecordWrittenBy010LoadsWithEveryField() {
        ContainerRecord expected = ContainerRecord.builder()
                .id(CONTAINER_ID)
                .sandboxId(SANDBOX_ID)
                .name("web")
                .attempt(2)
                .state(ContainerState.EXITED)
                .image(new ImageName("sha256:" + "a".repeat(64), "docker.io/library/busybox:1.36",
                        Map.of("ia", "iv"), "runc"))
                .imageRef("docker.io/library/busybox@sha256:" + "b".repeat(64))
                .imageId("sha256:" + "a".repeat(64))
                .createdAt(1700000000000000001L)
                .startedAt(1700000000000000002L)
                .finishedAt(1700000000000000003L)
                .exitCode(137)
                .reason("OOMKilled")
                .message("killed")
                .labels(Map.of("l", "lv"))
                .annotations(Map.of("a", "av"))
                .mounts(List.of(new MountSpec("/data", "/srv/data", true, false, "HOST_TO_CONTAINER", true)))
                .logPath("/var/log/pods/x/web/2.log")
                .resources(new ResourceLimits(100000, 50000, 512, 1048576, -998, "0-1", "0",
                        Map.of("2MB", 4194304L), Map.of("memory.high", "max"), 2097152))
                .user(new ProcessUser(1000, 1000, List.of(1000L, 4242L)))
                .stopSignal("SIGQUIT")
                .runtimeHandler("runc")
                .cgroupsPath("/berth/ccc")
                .tty(true)
                .stdin(true)
                .stdinOnce(true)
                .pid(0)
                .fingerprint("f".repeat(64))
                .build();

        RecordStore<ContainerRecord> store = plant("containers", CONTAINER_ID, "container-record-0.1.0.json",
                ContainerRecord.class);
        assertEquals(Map.of(CONTAINER_ID, expected), store.loadAll().records());

        store.save(CONTAINER_ID, expected);
        assertEquals(resource("container-record-0.1.0.json"), saved("containers", CONTAINER_ID));
    }

    @Test
    void aSandboxRecordWrittenBy010LoadsWithEveryField() {
        SandboxRecord expected = SandboxRecord.builder()
                .id(SANDBOX_ID)
                .metadata(new SandboxMetadata("pod", "uid-1", "ns", 1))
                .state(SandboxState.READY)
                .createdAt(1700000000000000000L)
                .runtimeHandler("runc")
                .hostname("pod-host")
                .logDirectory("/var/log/pods/x")
                .dns(new DnsSettings(List.of("10.0.0.10"), List.of("ns.svc.cluster.local"), List.of("ndots:5")))
                .portMappings(List.of(new PortMapping(PortMapping.Protocol.TCP, 80, 8080, "127.0.0.1")))
                .labels(Map.of("l", "lv"))
                .annotations(Map.of("a", "av"))
                .cgroupParent("/kubepods/pod1")
                .namespaces(new NamespaceModes(NamespaceMode.POD, NamespaceMode.POD, NamespaceMode.POD, ""))
                .sysctls(Map.of("net.ipv4.ip_forward", "1"))
                .ip("10.88.0.5")
                .additionalIps(List.of("fd00::5"))
                .fingerprint("e".repeat(64))
                .pidHolderPid(4242)
                .networkAttached(true)
                .build();

        RecordStore<SandboxRecord> store = plant("sandboxes", SANDBOX_ID, "sandbox-record-0.1.0.json",
                SandboxRecord.class);
        assertEquals(Map.of(SANDBOX_ID, expected), store.loadAll().records());

        store.save(SANDBOX_ID, expected);
        assertEquals(resource("sandbox-record-0.1.0.json"), saved("sandboxes", SANDBOX_ID));
    }

    @Test
    void aSandboxRecordKeepsItsPodConfigToTheLastField() {
        PodSandboxConfig config = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName("pod").setNamespace("ns").setUid("uid-1"))
                .setLinux(LinuxPodSandboxConfig.newBuilder()
                        .setSecurityContext(LinuxSandboxSecurityContext.newBuilder()
                                .setRunAsUser(Int64Value.newBuilder().setValue(1000))
                                .addSupplementalGroups(4242)))
                // A field from a newer CRI version than berth's: kept, as the kubelet sent it.
                .setUnknownFields(UnknownFieldSet.newBuilder().addField(999, UnknownFieldSet.Field.newBuilder()
                        .addLengthDelimited(ByteString.copyFromUtf8("newer")).build()).build())
                .build();
        SandboxRecord record = SandboxRecord.builder()
                .id(SANDBOX_ID)
                .metadata(new SandboxMetadata("pod", "uid-1", "ns", 0))
                .state(SandboxState.READY)
                .config(config)
                .build();
        RecordStore<SandboxRecord> store = new RecordStore<>(dir.resolve("sandboxes"), SandboxRecord.class,
                mapper);
        store.save(SANDBOX_ID, record);

        assertEquals(Base64.getEncoder().encodeToString(config.toByteArray()),
                saved("sandboxes", SANDBOX_ID).path("config").asText());
        SandboxRecord loaded = store.loadAll().records().get(SANDBOX_ID);
        assertEquals(record, loaded);
        assertEquals(config.toByteString(), loaded.config().toByteString());
    }

    /** A store whose one record is the given file, where berth keeps it. */
    private <T> RecordStore<T> plant(String kind, String id, String resource, Class<T> type) {
        try (InputStream in = RecordFormatTest.class.getResourceAsStream("/records/" + resource)) {
            Path file = dir.resolve(kind).resolve(id).resolve("record.json");
            Files.createDirectories(file.getParent());
            Files.write(file, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new RecordStore<>(dir.resolve(kind), type, mapper);
    }

    private JsonNode resource(String name) {
        try (InputStream in = RecordFormatTest.class.getResourceAsStream("/records/" + name)) {
            return mapper.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JsonNode saved(String kind, String id) {
        try {
            return mapper.readTree(dir.resolve(kind).resolve(id).resolve("record.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
