package dev.berth.cni;

/**
 * What the pod network reports for metrics; the daemon implements it with its metrics library. Called on the
 * attaching or detaching thread; must return quickly.
 */
public interface NetworkObserver {

    /** The plugin label of berth's own bridge network, which runs no plugin binary. */
    String BUILTIN = "builtin";

    /** Reports nothing. */
    NetworkObserver NONE = (plugin, command, failed) -> { };

    /**
     * One network operation ended.
     *
     * @param plugin  the CNI plugin type ({@code bridge}, {@code host-local}, {@code portmap}…), or {@link #BUILTIN}
     * @param command the CNI command: {@code ADD}, {@code DEL}, {@code CHECK}, {@code GC}, {@code STATUS}
     * @param failed  whether it returned an error (a tolerated DEL error counts as one)
     */
    void operation(String plugin, String command, boolean failed);
}
