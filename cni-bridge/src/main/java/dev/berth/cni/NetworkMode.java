package dev.berth.cni;

/**
 * Which network a pod is attached to.
 *
 * <ul>
 *   <li>{@link #AUTO} (default): the first CNI network config list in the conf dir when the dir holds one (readiness
 *       then follows that config), the built-in bridge network otherwise (always ready). Pods already attached keep
 *       the network they were attached with, whatever appears or disappears later.</li>
 *   <li>{@link #BUILTIN}: always the built-in bridge network; the conf dir is ignored.</li>
 *   <li>{@link #PLUGIN}: always the conf dir's CNI plugins; not ready while no usable config list exists.</li>
 * </ul>
 */
public enum NetworkMode {
    AUTO,
    BUILTIN,
    PLUGIN
}
