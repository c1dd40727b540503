package dev.berth.cni.attach;

import dev.berth.cni.NetworkStatus;
import dev.berth.cni.PodAttachment;
import dev.berth.cni.PodNetworkRequest;
import dev.berth.common.net.NetnsCreator;
import java.util.Set;
import java.util.function.Predicate;

/**
 * One way of attaching pods: the built-in bridge or a CNI plugin chain. The facade serialises calls per sandbox,
 * checks host ports and owns the attachment records' lifetime; a backend owns everything else it creates.
 */
public interface NetworkBackend {

    /**
     * Attaches the pod, saving the attachment record before touching the network; unwinds itself on failure (the
     * namespace, once made through {@code netns}, is the caller's to remove).
     */
    PodAttachment attach(PodNetworkRequest request, NetnsCreator netns);

    /**
     * Releases everything this backend holds for the sandbox. Never throws for missing things (netns, links, files)
     * and tolerates failures of what it calls, reporting them through logs and counters. {@code record} is null
     * when no record survived; {@code waitForLinks} = false lets slow link deletion finish in the background.
     */
    void teardown(String sandboxId, AttachmentRecord record, boolean waitForLinks);

    /** Every sandbox this backend holds anything for (IPs, links, cached results). */
    Set<String> owners();

    /**
     * Removes leftovers of sandboxes {@code keep} rejects: rules, addresses, the plugins' own GC. {@code keep} is
     * asked at the moment of each decision, so a sandbox that started attaching during the sweep is kept.
     */
    void sweep(Predicate<String> keep);

    /** Verifies the attachment is still in place; throws when it is not. */
    void check(AttachmentRecord record);

    NetworkStatus status();

    /** Waits for background work; the network itself stays as it is. */
    void close();
}
