package dev.berth.image.layer;

/**
 * A complete, verified layer under {@code overlay2/<id>}. Persisted as {@code layer.json} beside {@code diff}.
 *
 * @param id         directory name: the hex of the chain ID
 * @param chainId    {@code sha256:…} chain ID
 * @param diffId     digest of the uncompressed tar
 * @param parent     chain ID of the layer below, empty for a base layer
 * @param link       short name of its {@code l/} link
 * @param blobDigest the compressed blob it was unpacked from
 * @param blobSize   that blob's size
 * @param diskBytes  disk space its {@code diff} uses (allocated blocks), measured when unpacked
 * @param inodes     inodes its {@code diff} uses
 * @param createdAtMillis when it was unpacked, milliseconds since the Unix epoch
 */
public record LayerInfo(String id, String chainId, String diffId, String parent, String link, String blobDigest,
                        long blobSize, long diskBytes, long inodes, long createdAtMillis) {
}
