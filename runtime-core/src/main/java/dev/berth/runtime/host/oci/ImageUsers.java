package dev.berth.runtime.host.oci;

import dev.berth.common.error.BerthException;
import dev.berth.common.image.ImageUser;
import dev.berth.proto.runtime.v1.LinuxContainerSecurityContext;
import dev.berth.proto.runtime.v1.SupplementalGroupsPolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Resolves a container's user and groups against the image's own /etc/passwd and /etc/group (read from the rootfs,
 * never the host's), following the kubelet's precedence: run_as_user, then run_as_username, then the image's USER;
 * run_as_group overrides the primary group; supplemental groups per the pod's policy. The image's USER arrives
 * already split into user and group (image-service parses it); only its names are looked up here.
 */
public final class ImageUsers {

    private record PasswdEntry(String name, long uid, long gid) {
    }

    private record GroupEntry(String name, long gid, List<String> members) {
    }

    private final List<PasswdEntry> passwd;
    private final List<GroupEntry> groups;

    private ImageUsers(List<PasswdEntry> passwd, List<GroupEntry> groups) {
        this.passwd = passwd;
        this.groups = groups;
    }

    /** Loads the rootfs's account files (missing files mean no named users). */
    public static ImageUsers of(Path rootfs) {
        return parse(RootfsPaths.readText(rootfs, "/etc/passwd").orElse(""),
                RootfsPaths.readText(rootfs, "/etc/group").orElse(""));
    }

    public static ImageUsers parse(String passwdText, String groupText) {
        List<PasswdEntry> users = new ArrayList<>();
        for (String line : passwdText.split("\n")) {
            String[] f = line.split(":", -1);
            if (f.length >= 4 && !line.startsWith("#")) {
                Optional<Long> uid = number(f[2]);
                Optional<Long> gid = number(f[3]);
                if (uid.isPresent() && gid.isPresent()) {
                    users.add(new PasswdEntry(f[0], uid.get(), gid.get()));
                }
            }
        }
        List<GroupEntry> groupList = new ArrayList<>();
        for (String line : groupText.split("\n")) {
            String[] f = line.split(":", -1);
            if (f.length >= 3 && !line.startsWith("#")) {
                Optional<Long> gid = number(f[2]);
                if (gid.isPresent()) {
                    List<String> members = f.length >= 4 && !f[3].isBlank() ? List.of(f[3].strip().split(","))
                            : List.of();
                    groupList.add(new GroupEntry(f[0], gid.get(), members));
                }
            }
        }
        return new ImageUsers(users, groupList);
    }

    /** Resolves the process user from the container's security context and the image's parsed USER. */
    public ResolvedUser resolve(LinuxContainerSecurityContext security, ImageUser imageUser) {
        long uid;
        long gid;
        String name;
        if (security.hasRunAsUser()) {
            uid = security.getRunAsUser().getValue();
            Optional<PasswdEntry> entry = byUid(uid);
            name = entry.map(PasswdEntry::name).orElse(null);
            gid = entry.map(PasswdEntry::gid).orElse(0L);
        } else if (!security.getRunAsUsername().isEmpty()) {
            PasswdEntry entry = lookupUser(security.getRunAsUsername());
            uid = entry.uid();
            gid = entry.gid();
            name = entry.name();
        } else {
            if (imageUser.user().isEmpty()) {
                uid = 0;
                Optional<PasswdEntry> root = byUid(0);
                name = root.map(PasswdEntry::name).orElse(null);
                gid = root.map(PasswdEntry::gid).orElse(0L);
            } else {
                PasswdEntry entry = imageUser.uid().isPresent() ? byUidOrBare(imageUser.uid().getAsLong())
                        : byName(imageUser.user());
                uid = entry.uid();
                gid = entry.gid();
                name = entry.name();
            }
            if (imageUser.hasGroup()) {
                gid = imageUser.gid().isPresent() ? imageUser.gid().getAsLong() : groupByName(imageUser.group());
            }
        }
        if (security.hasRunAsGroup()) {
            gid = security.getRunAsGroup().getValue();
        }
        Set<Long> additional = new LinkedHashSet<>();
        additional.add(gid);
        if (security.getSupplementalGroupsPolicy() != SupplementalGroupsPolicy.Strict && name != null) {
            for (GroupEntry group : groups) {
                if (group.members().contains(name)) {
                    additional.add(group.gid());
                }
            }
        }
        additional.addAll(security.getSupplementalGroupsList());
        return new ResolvedUser(uid, gid, new ArrayList<>(additional));
    }

    // run_as_username may be numeric too. A numeric user not in /etc/passwd is fine (gid 0); a name must exist.
    private PasswdEntry lookupUser(String user) {
        OptionalLong numeric = ImageUser.numericId(user);
        return numeric.isPresent() ? byUidOrBare(numeric.getAsLong()) : byName(user);
    }

    private PasswdEntry byUidOrBare(long uid) {
        return byUid(uid).orElse(new PasswdEntry(null, uid, 0));
    }

    private PasswdEntry byName(String user) {
        return passwd.stream().filter(e -> e.name().equals(user)).findFirst().orElseThrow(
                () -> BerthException.invalidArgument("user " + user + " not found in the image's /etc/passwd"));
    }

    private long groupByName(String group) {
        return groups.stream().filter(g -> g.name().equals(group)).findFirst().map(GroupEntry::gid).orElseThrow(
                () -> BerthException.invalidArgument("group " + group + " not found in the image's /etc/group"));
    }

    private Optional<PasswdEntry> byUid(long uid) {
        return passwd.stream().filter(e -> e.uid() == uid).findFirst();
    }

    private static Optional<Long> number(String s) {
        OptionalLong id = ImageUser.numericId(s);
        return id.isPresent() ? Optional.of(id.getAsLong()) : Optional.empty();
    }
}
