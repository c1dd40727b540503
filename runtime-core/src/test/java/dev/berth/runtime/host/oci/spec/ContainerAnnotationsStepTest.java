package dev.berth.runtime.host.oci.spec;

import static dev.berth.runtime.host.oci.spec.SpecFixture.config;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.berth.common.image.ImageUser;
import dev.berth.runtime.host.oci.ImageDefaults;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerAnnotationsStepTest {

    @TempDir
    Path tmp;
    SpecFixture fixture;

    @BeforeEach
    void setUp() throws IOException {
        fixture = new SpecFixture(tmp);
    }

    @Test
    void configAnnotationsThenContainerNameAndImage() {
        Map<String, String> annotations = fixture.apply(config().putAnnotations("io.kubernetes.container.hash", "abc")
                .putAnnotations("io.kubernetes.cri.container-name", "spoofed"), new ContainerAnnotationsStep())
                .annotations();
        assertEquals("abc", annotations.get("io.kubernetes.container.hash"));
        assertEquals("app", annotations.get("io.kubernetes.cri.container-name"));
        assertEquals("docker.io/library/x:1", annotations.get("io.kubernetes.cri.image-name"));
    }

    @Test
    void imageNameFallsBackToTheRequestedImage() {
        fixture.image = new ImageDefaults(List.of(), List.of("x"), List.of(), "", ImageUser.UNSET, "", "");
        assertEquals("x:1", fixture.apply(config(), new ContainerAnnotationsStep()).annotations()
                .get("io.kubernetes.cri.image-name"));
    }
}
