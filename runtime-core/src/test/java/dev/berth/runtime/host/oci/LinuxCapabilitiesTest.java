package dev.berth.runtime.host.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.error.BerthException;
import dev.berth.proto.runtime.v1.Capability;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LinuxCapabilitiesTest {

    /** A root without CAP_SYS_RESOURCE (bit 24), as on these machines. */
    static final BoundingSet NO_SYS_RESOURCE = BoundingSet.fromMask(0x1fffeffffffL);

    static final List<String> DEFAULTS = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER",
            "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
            "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");

    static List<String> compute(Capability.Builder request, BoundingSet node) {
        return LinuxCapabilities.compute(request.build(), false, node);
    }

    @Test
    void defaultIsContainerdsSet() {
        assertEquals(DEFAULTS, compute(Capability.newBuilder(), NO_SYS_RESOURCE));
    }

    @Test
    void privilegedAndAddAllMeanTheNodesSet() {
        List<String> expected = new ArrayList<>(NO_SYS_RESOURCE.capabilities());
        assertEquals(40, expected.size());
        assertEquals(expected, LinuxCapabilities.compute(Capability.getDefaultInstance(), true, NO_SYS_RESOURCE));
        List<String> all = compute(Capability.newBuilder().addAddCapabilities("all"), NO_SYS_RESOURCE);
        assertEquals(40, all.size());
        assertTrue(all.containsAll(expected));
        assertTrue(!all.contains("CAP_SYS_RESOURCE"));
    }

    @Test
    void dropAllEmptiesThenNamedAddsCount() {
        assertEquals(List.of(), compute(Capability.newBuilder().addDropCapabilities("ALL"), NO_SYS_RESOURCE));
        assertEquals(List.of("CAP_NET_ADMIN"), compute(Capability.newBuilder().addDropCapabilities("ALL")
                .addAddCapabilities("NET_ADMIN"), NO_SYS_RESOURCE));
    }

    @Test
    void namedCapabilityTheNodeLacksIsAFailedPreconditionNamingIt() {
        for (Capability.Builder request : List.of(Capability.newBuilder().addAddCapabilities("SYS_RESOURCE"),
                Capability.newBuilder().addAddAmbientCapabilities("CAP_SYS_RESOURCE"))) {
            BerthException e = assertThrows(BerthException.class, () -> compute(request, NO_SYS_RESOURCE));
            assertEquals(BerthException.Kind.FAILED_PRECONDITION, e.kind());
            assertTrue(e.getMessage().contains("CAP_SYS_RESOURCE"), e.getMessage());
            assertTrue(e.getMessage().contains("bounding set"), e.getMessage());
        }
    }

    @Test
    void aLackingCapabilityThatIsAlsoDroppedNeverReachesTheRuntimeAndIsFine() {
        assertEquals(DEFAULTS, compute(Capability.newBuilder().addAddCapabilities("SYS_RESOURCE")
                .addDropCapabilities("SYS_RESOURCE"), NO_SYS_RESOURCE));
    }

    @Test
    void unknownNameIsInvalidArgumentEvenWhenTheNodeLacksOthers() {
        BerthException e = assertThrows(BerthException.class, () -> compute(Capability.newBuilder()
                .addAddCapabilities("SYS_RESOURCE").addAddCapabilities("FLY"), NO_SYS_RESOURCE));
        assertEquals(BerthException.Kind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage().contains("FLY"));
    }

    @Test
    void defaultsTheNodeLacksAreLeftOutRatherThanFailingEveryContainer() {
        BoundingSet noNetRaw = BoundingSet.fromMask(0x1ffffffffffL & ~(1L << 13));
        List<String> expected = new ArrayList<>(DEFAULTS);
        expected.remove("CAP_NET_RAW");
        assertEquals(expected, compute(Capability.newBuilder(), noNetRaw));
    }

    @Test
    void ambientCapabilitiesJoinTheSetUnlessDropped() {
        assertTrue(compute(Capability.newBuilder().addAddAmbientCapabilities("NET_ADMIN"), NO_SYS_RESOURCE)
                .contains("CAP_NET_ADMIN"));
        assertEquals(List.of(), LinuxCapabilities.ambient(Capability.newBuilder().addAddAmbientCapabilities("KILL")
                .addDropCapabilities("KILL").build()));
    }
}
