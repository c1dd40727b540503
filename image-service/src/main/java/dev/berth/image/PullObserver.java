package dev.berth.image;

/**
 * What the image store reports about pulls for metrics; the daemon implements it with its metrics library. Called
 * on the pulling thread once the image is stored.
 */
public interface PullObserver {

    /** Reports nothing. */
    PullObserver NONE = (bytesFetched, bytesAlreadyPresent) -> { };

    /**
     * @param bytesFetched        compressed layer, config and manifest bytes this pull downloaded or waited for
     * @param bytesAlreadyPresent compressed bytes of the layers it did not fetch because the node had them
     */
    void contentPulled(long bytesFetched, long bytesAlreadyPresent);
}
