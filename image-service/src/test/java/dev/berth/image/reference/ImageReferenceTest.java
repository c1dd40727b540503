package dev.berth.image.reference;

import dev.berth.common.error.BerthException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageReferenceTest {

    private static final String DIGEST = "sha256:" + "ab".repeat(32);

    @ParameterizedTest
    @CsvSource({
            "busybox, docker.io/library/busybox:latest",
            "busybox:1.36, docker.io/library/busybox:1.36",
            "library/busybox, docker.io/library/busybox:latest",
            "docker.io/busybox, docker.io/library/busybox:latest",
            "index.docker.io/library/busybox:1, docker.io/library/busybox:1",
            "bitnami/redis:7.2, docker.io/bitnami/redis:7.2",
            "quay.io/coreos/etcd, quay.io/coreos/etcd:latest",
            "localhost/app, localhost/app:latest",
            "localhost:5000/a/b:tag, localhost:5000/a/b:tag",
            "127.0.0.1:5000/a/b/c:v1.2-rc_3, 127.0.0.1:5000/a/b/c:v1.2-rc_3",
            "registry.k8s.io/pause:3.9, registry.k8s.io/pause:3.9",
            "Registry.Example.com/x, Registry.Example.com/x:latest",
            "[::1]:5000/x:y, [::1]:5000/x:y",
            "a__b/c.d-e--f:g, docker.io/a__b/c.d-e--f:g",
            "localhost:5000, docker.io/library/localhost:5000",
    })
    void normalizesLikeDocker(String input, String expected) {
        assertEquals(expected, ImageReference.parse(input).toString());
    }

    @Test
    void digestReferencesPullByDigest() {
        ImageReference ref = ImageReference.parse("busybox@" + DIGEST);
        assertEquals("docker.io/library/busybox@" + DIGEST, ref.toString());
        assertEquals(DIGEST, ref.manifestReference());
        assertTrue(ref.repoTag().isEmpty());
        assertTrue(ref.tag().isEmpty());
    }

    @Test
    void tagAndDigestKeepsBothButPullsByDigest() {
        ImageReference ref = ImageReference.parse("host:5000/app:v1@" + DIGEST);
        assertEquals("host:5000", ref.domain());
        assertEquals("app", ref.path());
        assertEquals("v1", ref.tag().orElseThrow());
        assertEquals(DIGEST, ref.manifestReference());
        assertEquals("host:5000/app:v1@" + DIGEST, ref.toString());
        assertEquals("host:5000/app@" + DIGEST, ref.repoDigest(ref.digest().orElseThrow()));
    }

    @Test
    void partsOfAHostPortReference() {
        ImageReference ref = ImageReference.parse("127.0.0.1:5000/team/app:tag");
        assertEquals("127.0.0.1:5000", ref.domain());
        assertEquals("team/app", ref.path());
        assertEquals("127.0.0.1:5000/team/app", ref.repository());
        assertEquals("127.0.0.1:5000/team/app:tag", ref.repoTag().orElseThrow());
        assertEquals("tag", ref.manifestReference());
    }

    static java.util.stream.Stream<String> malformed() {
        return java.util.stream.Stream.of("", "UPPER", "docker.io/Library/busybox", "busybox:", "busybox@", "busybox@sha256:abc",
            "busybox@md5:" + "0123456789abcdef0123456789abcdef", ":tag", "/busybox", "busybox/", "a//b",
            "busybox:tag:tag", "-a", "a-", "a..b", "host:port/x", "busybox:" + "x" + "y".repeat(128),
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "has space", "a@b@c",
            "busybox@sha256:" + "AB" + "ab".repeat(31), "Probeuser/img:1", "LocalHost/app");
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("malformed")
    void rejectsMalformedReferencesQuotingThem(String input) {
        BerthException e = assertThrows(BerthException.class, () -> ImageReference.parse(input));
        assertEquals(BerthException.Kind.INVALID_ARGUMENT, e.kind());
        assertTrue(e.getMessage().contains("\"" + input + "\""), e.getMessage());
    }

    @Test
    void rejectsTooLongNames() {
        String name = "a/".repeat(128) + "b";
        BerthException e = assertThrows(BerthException.class, () -> ImageReference.parse(name));
        assertEquals(BerthException.Kind.INVALID_ARGUMENT, e.kind());
    }
}
