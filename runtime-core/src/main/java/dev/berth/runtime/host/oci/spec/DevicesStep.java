package dev.berth.runtime.host.oci.spec;

import dev.berth.runtime.host.oci.ContainerSpecRequest;
import dev.berth.runtime.host.oci.DeviceNodes;
import dev.berth.runtime.host.oci.OciSpec;
import dev.berth.runtime.host.oci.OciSpec.DeviceRule;
import java.util.List;

/**
 * Device nodes and the cgroup rules that allow them: the standard few plus the request's devices, or every host
 * device for a privileged container.
 */
public final class DevicesStep implements SpecStep {

    /** The device nodes every container may use (runc creates the nodes; these are the cgroup rules). */
    public static final List<DeviceRule> DEFAULT_RULES = List.of(
            DeviceRule.denyAll(),
            DeviceRule.allowChar(1, 3L),     // null
            DeviceRule.allowChar(1, 5L),     // zero
            DeviceRule.allowChar(1, 7L),     // full
            DeviceRule.allowChar(1, 8L),     // random
            DeviceRule.allowChar(1, 9L),     // urandom
            DeviceRule.allowChar(5, 0L),     // tty
            DeviceRule.allowChar(5, 1L),     // console
            DeviceRule.allowChar(5, 2L),     // ptmx
            DeviceRule.allowChar(136, null), // pts/*
            new DeviceRule(false, "c", 10L, 229L, "rwm")); // fuse stays denied

    @Override
    public void apply(ContainerSpecRequest request, OciSpec.Builder spec) {
        OciSpec.Linux.Builder linux = spec.linux();
        if (request.privileged()) {
            DeviceNodes.allHostDevices().forEach(linux::addDevice);
            linux.resources().addDeviceRule(DeviceRule.allowAll());
            return;
        }
        DEFAULT_RULES.forEach(linux.resources()::addDeviceRule);
        for (var device : request.config().getDevicesList()) {
            for (var access : DeviceNodes.describe(device.getHostPath(), device.getContainerPath(),
                    device.getPermissions())) {
                linux.addDevice(access.device());
                linux.resources().addDeviceRule(access.rule());
            }
        }
    }
}
