package dev.berth.image.pull;

import dev.berth.image.store.Leases;
import dev.berth.image.store.StoredImage;

/**
 * A pull whose content is all stored and verified, ready to be recorded. The lease keeps that content from
 * garbage collection until the record is written; close it afterwards.
 *
 * @param image         the record to store
 * @param lease         the pull's hold on its content
 * @param bytesFetched  compressed bytes this pull downloaded or waited for
 * @param layersReused  layers already present before the pull
 * @param bytesReused   compressed size of those layers: what the pull did not have to fetch
 */
public record PulledImage(StoredImage image, Leases.Lease lease, long bytesFetched, int layersReused,
                          long bytesReused) {
}
