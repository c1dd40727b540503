package dev.berth.image.reference;

import dev.berth.common.error.BerthException;
import dev.berth.image.content.Digest;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A normalized image reference, the way the kubelet and Docker spell them: {@code busybox} becomes
 * {@code docker.io/library/busybox:latest}; {@code host:port/a/b:tag}, {@code name@sha256:…} and
 * {@code name:tag@sha256:…} keep what they say. A reference with a digest is pulled by that digest; its tag (if
 * any) is kept for display only.
 *
 * @param domain     registry host with optional port ({@code docker.io}, {@code 127.0.0.1:5000})
 * @param path       repository path inside the registry ({@code library/busybox})
 * @param tag        the tag, defaulted to {@code latest} when neither tag nor digest is given
 * @param digest     the manifest digest when pinned by digest
 */
public record ImageReference(String domain, String path, Optional<String> tag, Optional<Digest> digest) {

    public static final String DOCKER_HUB = "docker.io";
    private static final String DEFAULT_TAG = "latest";
    private static final int MAX_NAME_LENGTH = 255;

    // Grammar of distribution's reference package (facts from the spec, expressed here).
    private static final String ALNUM = "[a-z0-9]+";
    private static final String SEPARATOR = "(?:[._]|__|[-]+)";
    private static final Pattern PATH_COMPONENT = Pattern.compile(ALNUM + "(?:" + SEPARATOR + ALNUM + ")*");
    private static final String DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private static final Pattern DOMAIN = Pattern.compile(
            "(?:" + DOMAIN_COMPONENT + "(?:\\." + DOMAIN_COMPONENT + ")*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    private static final Pattern DIGEST_SHAPE =
            Pattern.compile("[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}");
    private static final Pattern HEX64 = Pattern.compile("[a-f0-9]{64}");

    public ImageReference {
        tag = tag == null ? Optional.empty() : tag;
        digest = digest == null ? Optional.empty() : digest;
    }

    /** Parses and normalizes; a malformed reference is an INVALID_ARGUMENT that quotes it. */
    public static ImageReference parse(String text) {
        if (text == null || text.isEmpty()) {
            throw invalid(String.valueOf(text), "empty reference");
        }
        String remainder = text;
        Optional<Digest> digest = Optional.empty();
        int at = remainder.indexOf('@');
        if (at >= 0) {
            String digestText = remainder.substring(at + 1);
            if (!DIGEST_SHAPE.matcher(digestText).matches()) {
                throw invalid(text, "malformed digest");
            }
            digest = Optional.of(Digest.tryParse(digestText)
                    .orElseThrow(() -> invalid(text, "unsupported digest " + digestText)));
            remainder = remainder.substring(0, at);
        }
        Optional<String> tag = Optional.empty();
        int colon = remainder.lastIndexOf(':');
        if (colon > remainder.lastIndexOf('/')) {
            String tagText = remainder.substring(colon + 1);
            if (!TAG.matcher(tagText).matches()) {
                throw invalid(text, "malformed tag");
            }
            tag = Optional.of(tagText);
            remainder = remainder.substring(0, colon);
        }
        if (remainder.isEmpty()) {
            throw invalid(text, "missing repository name");
        }
        if (remainder.length() > MAX_NAME_LENGTH) {
            throw invalid(text, "repository name longer than " + MAX_NAME_LENGTH + " characters");
        }
        String domain;
        String path;
        int slash = remainder.indexOf('/');
        String first = slash < 0 ? "" : remainder.substring(0, slash);
        if (slash >= 0 && looksLikeDomain(first)) {
            domain = first;
            path = remainder.substring(slash + 1);
            if (!DOMAIN.matcher(domain).matches()) {
                throw invalid(text, "malformed registry host " + domain);
            }
        } else {
            domain = DOCKER_HUB;
            path = remainder;
        }
        if (HEX64.matcher(path).matches() && domain.equals(DOCKER_HUB) && !remainder.contains("/")) {
            throw invalid(text, "a 64-character hex string is an image ID, not a repository name");
        }
        for (String component : path.split("/", -1)) {
            if (!PATH_COMPONENT.matcher(component).matches()) {
                throw invalid(text, component.toLowerCase().equals(component)
                        ? "malformed repository path component \"" + component + "\""
                        : "repository name must be lowercase");
            }
        }
        if (domain.equals("index.docker.io")) {
            domain = DOCKER_HUB;
        }
        if (domain.equals(DOCKER_HUB) && !path.contains("/")) {
            path = "library/" + path;
        }
        if (tag.isEmpty() && digest.isEmpty()) {
            tag = Optional.of(DEFAULT_TAG);
        }
        return new ImageReference(domain, path, tag, digest);
    }

    /**
     * A first component names a registry host only if it has a dot or a port, or is {@code localhost}. One with
     * capitals and neither is a mistyped repository name (refused below), not a host to dial.
     */
    private static boolean looksLikeDomain(String first) {
        return first.contains(".") || first.contains(":") || first.equals("localhost");
    }

    private static BerthException invalid(String text, String why) {
        return BerthException.invalidArgument("invalid image reference \"" + text + "\": " + why);
    }

    /** {@code domain/path}, the repository name used in repo tags and repo digests. */
    public String repository() {
        return domain + "/" + path;
    }

    /** What the registry's {@code /manifests/<reference>} takes: the digest when pinned, else the tag. */
    public String manifestReference() {
        return digest.map(Digest::toString).orElseGet(tag::orElseThrow);
    }

    /** The repo tag this reference names, when it is pulled by tag (a digest makes the tag informational). */
    public Optional<String> repoTag() {
        return digest.isPresent() ? Optional.empty() : tag.map(t -> repository() + ":" + t);
    }

    /** {@code repository@digest} for a given manifest digest. */
    public String repoDigest(Digest manifestDigest) {
        return repository() + "@" + manifestDigest;
    }

    @Override
    public String toString() {
        return repository() + tag.map(t -> ":" + t).orElse("") + digest.map(d -> "@" + d).orElse("");
    }
}
