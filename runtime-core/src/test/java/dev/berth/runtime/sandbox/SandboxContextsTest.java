package dev.berth.runtime.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.proto.runtime.v1.Int64Value;
import dev.berth.proto.runtime.v1.LinuxPodSandboxConfig;
import dev.berth.proto.runtime.v1.LinuxSandboxSecurityContext;
import dev.berth.proto.runtime.v1.NamespaceOption;
import dev.berth.proto.runtime.v1.PodSandboxConfig;
import dev.berth.proto.runtime.v1.PodSandboxMetadata;
import org.junit.jupiter.api.Test;

/** Which pod config a container is built against. */
class SandboxContextsTest {

    private static final PodSandboxConfig CREATED_WITH = PodSandboxConfig.newBuilder()
            .setMetadata(PodSandboxMetadata.newBuilder().setName("web").setNamespace("shop").setUid("u-1"))
            .setHostname("web-0")
            .setLinux(LinuxPodSandboxConfig.newBuilder()
                    .setSecurityContext(LinuxSandboxSecurityContext.newBuilder()
                            .setRunAsUser(Int64Value.newBuilder().setValue(1000))
                            .addSupplementalGroups(4242)))
            .build();

    private static SandboxRecord.Builder record() {
        return SandboxRecord.builder()
                .id("a".repeat(64))
                .metadata(new SandboxMetadata("web", "u-1", "shop", 0))
                .state(SandboxState.READY)
                .hostname("web-0");
    }

    @Test
    void theConfigThePodWasCreatedWithWinsOverTheRequestsCopy() {
        SandboxRecord stored = record().config(CREATED_WITH).build();
        PodSandboxConfig differentCopy = CREATED_WITH.toBuilder().setHostname("other").build();
        assertEquals(CREATED_WITH, SandboxContexts.configFor(stored, differentCopy));
        assertEquals(CREATED_WITH, SandboxContexts.configFor(stored, PodSandboxConfig.getDefaultInstance()));
        assertEquals(CREATED_WITH, SandboxContexts.configFor(stored, null));
    }

    @Test
    void aRecordWithoutAStoredConfigUsesTheRequestsCopyElseARebuiltOne() {
        SandboxRecord old = record().build();
        assertEquals(CREATED_WITH, SandboxContexts.configFor(old, CREATED_WITH));

        PodSandboxConfig rebuilt = SandboxContexts.configFor(old, PodSandboxConfig.getDefaultInstance());
        assertEquals(PodSandboxMetadata.newBuilder().setName("web").setNamespace("shop").setUid("u-1").build(),
                rebuilt.getMetadata());
        assertEquals("web-0", rebuilt.getHostname());
        assertEquals(NamespaceOption.newBuilder().setNetwork(dev.berth.proto.runtime.v1.NamespaceMode.POD)
                        .setPid(dev.berth.proto.runtime.v1.NamespaceMode.CONTAINER)
                        .setIpc(dev.berth.proto.runtime.v1.NamespaceMode.POD).build(),
                rebuilt.getLinux().getSecurityContext().getNamespaceOptions());
        assertEquals(rebuilt, SandboxContexts.configFor(old, null));
    }
}
