package dev.berth.cni.plugin;

import java.util.Optional;

/**
 * What the conf dir offers right now: the config list in use (the first valid file in lexical order), whether any
 * candidate file exists at all (in AUTO mode that alone switches new pods to plugins), and why nothing is usable.
 */
record ConfDirState(Optional<CniConfigList> config, boolean hasCandidates, String problem) {

    static ConfDirState empty(String problem) {
        return new ConfDirState(Optional.empty(), false, problem);
    }
}
