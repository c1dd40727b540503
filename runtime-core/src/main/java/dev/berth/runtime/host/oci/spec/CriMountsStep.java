package dev.berth.runtime.host.oci.spec;

import dev.berth.common.error.BerthException;
import dev.berth.proto.runtime.v1.Mount;
import dev.berth.proto.runtime.v1.MountPropagation;
import dev.berth.runtime.host.oci.ContainerSpecRequest;
import dev.berth.runtime.host.oci.OciSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The kubelet's mounts (volumes, service account tokens, /etc/hosts…) as bind mounts, after the defaults. A
 * recursive read-only mount arrives here with its host path already replaced by a staged copy whose every submount
 * is read-only (runc 1.1.5 has no {@code rro}); a recursive bind of it keeps them so.
 */
public final class CriMountsStep implements SpecStep {

    @Override
    public void apply(ContainerSpecRequest request, OciSpec.Builder spec) {
        // Parents before children, so a mount under another mount lands on top of it.
        List<Mount> mounts = new ArrayList<>(request.config().getMountsList());
        mounts.sort(Comparator.comparingInt(m -> Path.of(RequestedMounts.destination(m.getContainerPath()))
                .getNameCount()));
        for (Mount mount : mounts) {
            spec.addMount(bind(mount));
        }
    }

    private static OciSpec.Mount bind(Mount mount) {
        String destination = RequestedMounts.destination(mount.getContainerPath());
        if (mount.getHostPath().isEmpty()) {
            if (mount.hasImage()) {
                throw new BerthException(BerthException.Kind.UNIMPLEMENTED,
                        "image volume mounts must be resolved to a host path before building the spec");
            }
            throw BerthException.invalidArgument("mount " + destination + " has no host path");
        }
        Path source = Path.of(mount.getHostPath());
        if (!source.isAbsolute()) {
            throw BerthException.invalidArgument("mount host path must be absolute: " + mount.getHostPath());
        }
        try {
            // Never created here: a missing source is refused (checked before anything is made, again here in case
            // it went away since), so no failed request leaves a directory on the node.
            source = source.toRealPath();
        } catch (IOException e) {
            throw BerthException.invalidArgument("mount host_path " + mount.getHostPath() + " does not exist or "
                    + "cannot be resolved: " + e);
        }
        List<String> options = new ArrayList<>();
        options.add("rbind");
        switch (mount.getPropagation()) {
            case PROPAGATION_HOST_TO_CONTAINER: options.add("rslave"); break;
            case PROPAGATION_BIDIRECTIONAL: options.add("rshared"); break;
            default: options.add("rprivate"); break;
        }
        if (mount.getRecursiveReadOnly() && (!mount.getReadonly()
                || mount.getPropagation() != MountPropagation.PROPAGATION_PRIVATE)) {
            throw BerthException.invalidArgument("recursive read-only mount " + destination
                    + " must also be read-only and have private propagation");
        }
        options.add(mount.getReadonly() ? "ro" : "rw");
        return new OciSpec.Mount(destination, "bind", source.toString(), options);
    }
}
