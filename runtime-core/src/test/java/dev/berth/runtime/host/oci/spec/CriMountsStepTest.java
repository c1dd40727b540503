package dev.berth.runtime.host.oci.spec;

import static dev.berth.runtime.host.oci.spec.SpecFixture.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.berth.common.error.BerthException;
import dev.berth.proto.runtime.v1.ContainerConfig;
import dev.berth.proto.runtime.v1.Mount;
import dev.berth.proto.runtime.v1.MountPropagation;
import dev.berth.runtime.host.oci.OciSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CriMountsStepTest {

    @TempDir
    Path tmp;
    SpecFixture fixture;

    @BeforeEach
    void setUp() throws IOException {
        fixture = new SpecFixture(tmp);
    }

    List<OciSpec.Mount> mounts(ContainerConfig.Builder config) {
        return fixture.apply(config, new CriMountsStep()).mounts();
    }

    @Test
    void resolveSymlinksSortParentsFirstAndMapPropagation() throws IOException {
        Path real = Files.createDirectories(tmp.resolve("data/real"));
        Path link = tmp.resolve("data/link");
        Files.createSymbolicLink(link, real);
        List<OciSpec.Mount> mounts = mounts(config()
                .addMounts(Mount.newBuilder().setContainerPath("/data/sub").setHostPath(real.toString())
                        .setReadonly(true))
                .addMounts(Mount.newBuilder().setContainerPath("/data").setHostPath(link.toString())
                        .setPropagation(MountPropagation.PROPAGATION_HOST_TO_CONTAINER)));
        List<String> destinations = mounts.stream().map(OciSpec.Mount::destination).toList();
        int data = destinations.indexOf("/data");
        int sub = destinations.indexOf("/data/sub");
        assertTrue(data >= 0 && data < sub);
        OciSpec.Mount dataMount = mounts.get(data);
        assertEquals(real.toRealPath().toString(), dataMount.source());
        assertEquals(List.of("rbind", "rslave", "rw"), dataMount.options());
        assertEquals(List.of("rbind", "rprivate", "ro"), mounts.get(sub).options());
    }

    @Test
    void bidirectionalIsSharedAndRecursiveReadOnlyNeedsReadOnlyAndPrivate() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("vol"));
        assertEquals(List.of("rbind", "rshared", "ro"), mounts(config().addMounts(Mount.newBuilder()
                .setContainerPath("/v").setHostPath(dir.toString()).setReadonly(true)
                .setPropagation(MountPropagation.PROPAGATION_BIDIRECTIONAL))).get(0).options());
        // The source of a recursive read-only mount is a staged copy already read-only all the way down.
        assertEquals(List.of("rbind", "rprivate", "ro"), mounts(config().addMounts(Mount.newBuilder()
                .setContainerPath("/v").setHostPath(dir.toString()).setReadonly(true).setRecursiveReadOnly(true)))
                .get(0).options());
        assertThrows(BerthException.class, () -> mounts(config().addMounts(Mount.newBuilder()
                .setContainerPath("/v").setHostPath(dir.toString()).setReadonly(true).setRecursiveReadOnly(true)
                .setPropagation(MountPropagation.PROPAGATION_HOST_TO_CONTAINER))));
        assertThrows(BerthException.class, () -> mounts(config().addMounts(Mount.newBuilder()
                .setContainerPath("/v").setHostPath(dir.toString()).setRecursiveReadOnly(true))));
    }

    @Test
    void missingHostPathIsInvalidAndNotCreatedAndRelativeIsInvalid() {
        Path missing = tmp.resolve("made/by/berth");
        BerthException e = assertThrows(BerthException.class, () -> mounts(config().addMounts(Mount.newBuilder()
                .setContainerPath("/m").setHostPath(missing.toString()))));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("made")), "the missing source was created");
        assertThrows(BerthException.class, () -> mounts(config().addMounts(Mount.newBuilder()
                .setContainerPath("/m").setHostPath("relative"))));
        assertThrows(BerthException.class, () -> mounts(config().addMounts(Mount.newBuilder()
                .setContainerPath("m").setHostPath("/tmp"))));
    }
}
