/**
 * The pod network of berth: {@link dev.berth.cni.PodNetwork} attaches a sandbox's pinned network namespace to the
 * built-in bridge network or to the CNI plugins of the conf dir, detaches it, reports the CRI NetworkReady
 * condition and collects what dead sandboxes left behind.
 *
 * <p>Only the types of this package are API. The sub-packages ({@code attach}, {@code builtin}, {@code plugin},
 * {@code net}) are implementation: public only so that the facade can reach them.
 *
 * <p>Which network a new pod gets: see {@link dev.berth.cni.NetworkMode}. The built-in network needs no file on the
 * node; a config list in the conf dir takes over in AUTO mode, and pods already attached stay where they are.
 */
package dev.berth.cni;
