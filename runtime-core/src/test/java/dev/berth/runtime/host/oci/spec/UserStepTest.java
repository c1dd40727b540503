package dev.berth.runtime.host.oci.spec;

import static dev.berth.runtime.host.oci.spec.SpecFixture.config;
import static dev.berth.runtime.host.oci.spec.SpecFixture.withSecurity;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.error.BerthException;
import dev.berth.common.image.ImageUser;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.Int64Value;
import dev.berth.proto.runtime.v1.LinuxContainerSecurityContext;
import dev.berth.proto.runtime.v1.SupplementalGroupsPolicy;
import dev.berth.runtime.host.oci.ImageDefaults;
import dev.berth.runtime.host.oci.OciSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserStepTest {

    @TempDir
    Path tmp;
    SpecFixture fixture;

    @BeforeEach
    void setUp() throws IOException {
        fixture = new SpecFixture(tmp);
    }

    OciSpec.User user(ContainerConfig.Builder config) {
        return fixture.apply(config, new UserStep()).process().user();
    }

    void imageUser(String user) {
        fixture.image = new ImageDefaults(List.of(), List.of("x"), List.of(), "", ImageUser.parse(user), "", "");
    }

    @Test
    void imageUserByNameResolvesFromRootfsPasswdAndGroups() {
        imageUser("berth");
        OciSpec.User user = user(config());
        assertEquals(1000, user.uid());
        assertEquals(1000, user.gid());
        assertEquals(List.of(1000L, 29L, 50L), user.additionalGids());
    }

    @Test
    void imageUserWithGroupNameAndNumbers() {
        imageUser("berth:staff");
        assertEquals(50, user(config()).gid());
        imageUser("4242:4343");
        OciSpec.User user = user(config());
        assertEquals(4242, user.uid());
        assertEquals(4343, user.gid());
    }

    @Test
    void noUserAnywhereIsRoot() {
        imageUser("");
        OciSpec.User user = user(config());
        assertEquals(0, user.uid());
        assertEquals(0, user.gid());
    }

    @Test
    void runAsUserWinsAndUnknownUidGetsGidZero() {
        imageUser("berth");
        OciSpec.User user = user(withSecurity(config(), LinuxContainerSecurityContext.newBuilder()
                .setRunAsUser(Int64Value.newBuilder().setValue(5000))));
        assertEquals(5000, user.uid());
        assertEquals(0, user.gid());
        assertEquals(List.of(0L), user.additionalGids());
    }

    @Test
    void runAsUsernameRunAsGroupAndSupplementalGroups() {
        OciSpec.User user = user(withSecurity(config(), LinuxContainerSecurityContext.newBuilder()
                .setRunAsUsername("berth").setRunAsGroup(Int64Value.newBuilder().setValue(7))
                .addSupplementalGroups(900)));
        assertEquals(1000, user.uid());
        assertEquals(7, user.gid());
        assertEquals(List.of(7L, 29L, 50L, 900L), user.additionalGids());
    }

    @Test
    void strictSupplementalGroupsIgnoreImageGroups() {
        OciSpec.User user = user(withSecurity(config(), LinuxContainerSecurityContext.newBuilder()
                .setRunAsUsername("berth").addSupplementalGroups(900)
                .setSupplementalGroupsPolicy(SupplementalGroupsPolicy.Strict)));
        assertEquals(List.of(1000L, 900L), user.additionalGids());
    }

    @Test
    void unknownUserNameIsInvalid() {
        imageUser("ghost");
        BerthException e = assertThrows(BerthException.class, () -> user(config()));
        assertEquals(BerthException.Kind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage().contains("ghost"));
    }

    @Test
    void passwdSymlinkResolvesInsideRootfs() throws IOException {
        Path etc = fixture.rootfs.resolve("etc");
        Files.move(etc.resolve("passwd"), fixture.rootfs.resolve("passwd.real"));
        Files.createSymbolicLink(etc.resolve("passwd"), Path.of("/passwd.real"));
        imageUser("berth");
        assertEquals(1000, user(config()).uid());
    }
}
