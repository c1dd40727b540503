package dev.berth.runtime.sandbox;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.error.BerthException;
import dev.berth.runtime.host.ns.UserNamespaceMapping;
import dev.berth.proto.runtime.v1.IDMapping;
import dev.berth.proto.runtime.v1.NamespaceMode;
import dev.berth.proto.runtime.v1.NamespaceOption;
import dev.berth.proto.runtime.v1.UserNamespace;
import org.junit.jupiter.api.Test;

class UserNamespaceOptionsTest {

    private static final IDMapping ROOT = IDMapping.newBuilder().setHostId(65536).setContainerId(0)
            .setLength(65536).build();

    @Test
    void unsetOrNodeIsTheHostsNamespaceAndFine() {
        assertDoesNotThrow(() -> UserNamespaceOptions.validate(NamespaceOption.getDefaultInstance(), "f"));
        assertDoesNotThrow(() -> UserNamespaceOptions.validate(NamespaceOption.newBuilder().setUsernsOptions(
                UserNamespace.newBuilder().setMode(NamespaceMode.NODE)).build(), "f"));
    }

    @Test
    void containerAndTargetAreInvalid() {
        assertTrue(invalid(UserNamespace.newBuilder().setMode(NamespaceMode.CONTAINER))
                .contains("f.userns_options.mode must be POD or NODE, got CONTAINER"));
        assertTrue(invalid(UserNamespace.newBuilder().setMode(NamespaceMode.TARGET)).contains("got TARGET"));
    }

    @Test
    void podNeedsOneMappingEachWithContainerRootMapped() {
        assertTrue(invalid(pod().addUids(ROOT).addUids(ROOT).addGids(ROOT))
                .contains("f.userns_options.uids must hold exactly one mapping for mode POD, got 2"));
        assertTrue(invalid(pod().addUids(ROOT)).contains("f.userns_options.gids must hold exactly one mapping"));
        assertTrue(invalid(pod().addUids(ROOT.toBuilder().setContainerId(1)).addGids(ROOT))
                .contains("f.userns_options.uids must map container id 0"));
        assertTrue(invalid(pod().addUids(ROOT).addGids(ROOT.toBuilder().setLength(0)))
                .contains("f.userns_options.gids maps no ids"));
    }

    @Test
    void aWellFormedPodRequestIsAcceptedAndGivesItsMapping() {
        NamespaceOption options = NamespaceOption.newBuilder().setUsernsOptions(pod().addUids(ROOT)
                .addGids(ROOT.toBuilder().setHostId(200_000).setLength(1000))).build();
        assertDoesNotThrow(() -> UserNamespaceOptions.validate(options, "f"));
        assertEquals(new UserNamespaceMapping(65536, 65536, 200_000, 1000), UserNamespaceOptions.mappingOf(options));
    }

    @Test
    void nodeOrUnsetHasNoMapping() {
        assertNull(UserNamespaceOptions.mappingOf(NamespaceOption.getDefaultInstance()));
        assertNull(UserNamespaceOptions.mappingOf(NamespaceOption.newBuilder().setUsernsOptions(
                UserNamespace.newBuilder().setMode(NamespaceMode.NODE).addUids(ROOT).addGids(ROOT)).build()));
    }

    private static UserNamespace.Builder pod() {
        return UserNamespace.newBuilder().setMode(NamespaceMode.POD);
    }

    private static String invalid(UserNamespace.Builder options) {
        BerthException e = assertThrows(BerthException.class, () -> UserNamespaceOptions.validate(
                NamespaceOption.newBuilder().setUsernsOptions(options).build(), "f"));
        assertEquals(BerthException.Kind.INVALID_ARGUMENT, e.kind());
        return e.getMessage();
    }
}
