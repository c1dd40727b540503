package dev.berth.testing.image;

/** A content descriptor as manifests hold it: what the blob is, its digest and its size in bytes. */
public record Descriptor(String mediaType, String digest, long size) {
}
