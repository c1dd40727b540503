package dev.berth.cni.plugin;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The per-attachment inputs of a plugin run: the CNI_* environment and the capability arguments plugins receive in
 * {@code runtimeConfig} when they declare the capability.
 */
record CniInvocation(String containerId, String netns, String ifName, String cniArgs, ObjectNode capabilityArgs) {
}
