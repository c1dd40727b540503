package dev.berth.runtime.host.oci;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An OCI runtime-spec {@code config.json} (the subset berth writes), serialized with Jackson: field names are the
 * spec's, null fields are left out. Written with {@link OciJson}. Specs are assembled with {@link #builder()}; the
 * canonical constructors remain for Jackson.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OciSpec(
        String ociVersion,
        Process process,
        Root root,
        String hostname,
        List<Mount> mounts,
        Map<String, String> annotations,
        Linux linux) {

    public static final String VERSION = "1.0.2";

    public OciSpec withProcess(Process newProcess) {
        return new OciSpec(ociVersion, newProcess, root, hostname, mounts, annotations, linux);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A spec under construction, filled in part by part (the spec steps). Fields nobody sets stay null and are left
     * out of the JSON; process, linux, mounts and annotations are always written. Mounts keep the order they were
     * added in (a mount must come after the one it lands in); annotations are sorted by key.
     */
    public static final class Builder {
        private final Process.Builder process = Process.builder();
        private final Linux.Builder linux = Linux.builder();
        private final List<Mount> mounts = new ArrayList<>();
        private final Map<String, String> annotations = new TreeMap<>();
        private Root root;
        private String hostname;

        private Builder() {
        }

        public Process.Builder process() {
            return process;
        }

        public Linux.Builder linux() {
            return linux;
        }

        public Builder root(Root newRoot) {
            this.root = newRoot;
            return this;
        }

        public Builder hostname(String newHostname) {
            this.hostname = newHostname;
            return this;
        }

        public Builder addMount(Mount mount) {
            mounts.add(mount);
            return this;
        }

        public Builder annotation(String key, String value) {
            annotations.put(key, value);
            return this;
        }

        public Builder annotations(Map<String, String> entries) {
            annotations.putAll(entries);
            return this;
        }

        public OciSpec build() {
            return new OciSpec(VERSION, process.build(), root, hostname, List.copyOf(mounts),
                    Collections.unmodifiableMap(new TreeMap<>(annotations)), linux.build());
        }
    }

    /** The container's first (or an exec'd) process. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Process(
            Boolean terminal,
            ConsoleSize consoleSize,
            User user,
            List<String> args,
            List<String> env,
            String cwd,
            Capabilities capabilities,
            List<Rlimit> rlimits,
            Boolean noNewPrivileges,
            String apparmorProfile,
            Integer oomScoreAdj,
            String selinuxLabel) {

        public Process withArgs(List<String> newArgs, boolean newTerminal) {
            return toBuilder().terminal(newTerminal).consoleSize(null).args(newArgs).build();
        }

        public static Builder builder() {
            return new Builder();
        }

        public Builder toBuilder() {
            return new Builder().terminal(terminal).consoleSize(consoleSize).user(user).args(args).env(env).cwd(cwd)
                    .capabilities(capabilities).rlimits(rlimits).noNewPrivileges(noNewPrivileges)
                    .apparmorProfile(apparmorProfile).oomScoreAdj(oomScoreAdj).selinuxLabel(selinuxLabel);
        }

        /** A process under construction; unset fields stay null. */
        public static final class Builder {
            private Boolean terminal;
            private ConsoleSize consoleSize;
            private User user;
            private List<String> args;
            private List<String> env;
            private String cwd;
            private Capabilities capabilities;
            private List<Rlimit> rlimits;
            private Boolean noNewPrivileges;
            private String apparmorProfile;
            private Integer oomScoreAdj;
            private String selinuxLabel;

            private Builder() {
            }

            public Builder terminal(Boolean value) {
                this.terminal = value;
                return this;
            }

            public Builder consoleSize(ConsoleSize value) {
                this.consoleSize = value;
                return this;
            }

            public Builder user(User value) {
                this.user = value;
                return this;
            }

            public Builder args(List<String> value) {
                this.args = value;
                return this;
            }

            public Builder env(List<String> value) {
                this.env = value;
                return this;
            }

            public Builder cwd(String value) {
                this.cwd = value;
                return this;
            }

            public Builder capabilities(Capabilities value) {
                this.capabilities = value;
                return this;
            }

            /** What the capability step granted so far (null: nothing yet); the seccomp step follows it. */
            public Capabilities capabilities() {
                return capabilities;
            }

            public Builder rlimits(List<Rlimit> value) {
                this.rlimits = value;
                return this;
            }

            public Builder noNewPrivileges(Boolean value) {
                this.noNewPrivileges = value;
                return this;
            }

            public Builder apparmorProfile(String value) {
                this.apparmorProfile = value;
                return this;
            }

            public Builder oomScoreAdj(Integer value) {
                this.oomScoreAdj = value;
                return this;
            }

            public Builder selinuxLabel(String value) {
                this.selinuxLabel = value;
                return this;
            }

            public Process build() {
                return new Process(terminal, consoleSize, user, args, env, cwd, capabilities, rlimits,
                        noNewPrivileges, apparmorProfile, oomScoreAdj, selinuxLabel);
            }
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ConsoleSize(int height, int width) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record User(long uid, long gid, Integer umask, List<Long> additionalGids) {

        /** A user with the runtime's default umask. */
        public static User of(long uid, long gid, List<Long> additionalGids) {
            return new User(uid, gid, null, additionalGids);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Capabilities(List<String> bounding, List<String> effective, List<String> inheritable,
            List<String> permitted, List<String> ambient) {

        /** No capability in any set. */
        public static Capabilities none() {
            return new Capabilities(List.of(), List.of(), List.of(), List.of(), List.of());
        }
    }

    public record Rlimit(String type, long hard, long soft) {
    }

    public record Root(String path, boolean readonly) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Mount(String destination, String type, String source, List<String> options) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Linux(
            List<IdMapping> uidMappings,
            List<IdMapping> gidMappings,
            Map<String, String> sysctl,
            Resources resources,
            String cgroupsPath,
            List<Namespace> namespaces,
            List<Device> devices,
            Seccomp seccomp,
            String rootfsPropagation,
            List<String> maskedPaths,
            List<String> readonlyPaths) {

        public static Builder builder() {
            return new Builder();
        }

        /**
         * The linux section under construction. Resources are always written (possibly empty); an empty device or
         * namespace list is left out.
         */
        public static final class Builder {
            private final Resources.Builder resources = Resources.builder();
            private final List<Namespace> namespaces = new ArrayList<>();
            private final List<Device> devices = new ArrayList<>();
            private List<IdMapping> uidMappings;
            private List<IdMapping> gidMappings;
            private Map<String, String> sysctl;
            private String cgroupsPath;
            private Seccomp seccomp;
            private String rootfsPropagation;
            private List<String> maskedPaths;
            private List<String> readonlyPaths;

            private Builder() {
            }

            public Resources.Builder resources() {
                return resources;
            }

            public Builder uidMappings(List<IdMapping> value) {
                this.uidMappings = value;
                return this;
            }

            public Builder gidMappings(List<IdMapping> value) {
                this.gidMappings = value;
                return this;
            }

            public Builder sysctl(Map<String, String> value) {
                this.sysctl = value;
                return this;
            }

            public Builder cgroupsPath(String value) {
                this.cgroupsPath = value;
                return this;
            }

            public Builder addNamespace(Namespace namespace) {
                namespaces.add(namespace);
                return this;
            }

            public Builder addDevice(Device device) {
                devices.add(device);
                return this;
            }

            public Builder seccomp(Seccomp value) {
                this.seccomp = value;
                return this;
            }

            public Builder rootfsPropagation(String value) {
                this.rootfsPropagation = value;
                return this;
            }

            public Builder maskedPaths(List<String> value) {
                this.maskedPaths = value;
                return this;
            }

            public Builder readonlyPaths(List<String> value) {
                this.readonlyPaths = value;
                return this;
            }

            public Linux build() {
                return new Linux(uidMappings, gidMappings, sysctl, resources.build(), cgroupsPath,
                        namespaces.isEmpty() ? null : List.copyOf(namespaces),
                        devices.isEmpty() ? null : List.copyOf(devices), seccomp, rootfsPropagation, maskedPaths,
                        readonlyPaths);
            }
        }
    }

    public record IdMapping(@JsonProperty("containerID") long containerId, @JsonProperty("hostID") long hostId,
            long size) {
    }

    /** {@code type} is an OCI namespace type ("network", "pid"…); a null path means a new namespace. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Namespace(String type, String path) {

        /** A new namespace of this type, the container's own. */
        public static Namespace fresh(String type) {
            return new Namespace(type, null);
        }

        /** The existing namespace at {@code path}. */
        public static Namespace join(String type, String path) {
            return new Namespace(type, path);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Device(String type, String path, long major, long minor, Integer fileMode, Long uid, Long gid) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Resources(
            List<DeviceRule> devices,
            Memory memory,
            Cpu cpu,
            Pids pids,
            List<HugepageLimit> hugepageLimits,
            Map<String, String> unified) {

        public static Builder builder() {
            return new Builder();
        }

        /** Cgroup settings under construction; device rules keep their order, an empty rule list is left out. */
        public static final class Builder {
            private final List<DeviceRule> devices = new ArrayList<>();
            private Memory memory;
            private Cpu cpu;
            private Pids pids;
            private List<HugepageLimit> hugepageLimits;
            private Map<String, String> unified;

            private Builder() {
            }

            public Builder addDeviceRule(DeviceRule rule) {
                devices.add(rule);
                return this;
            }

            public Builder memory(Memory value) {
                this.memory = value;
                return this;
            }

            public Builder cpu(Cpu value) {
                this.cpu = value;
                return this;
            }

            public Builder pids(Pids value) {
                this.pids = value;
                return this;
            }

            public Builder hugepageLimits(List<HugepageLimit> value) {
                this.hugepageLimits = value;
                return this;
            }

            public Builder unified(Map<String, String> value) {
                this.unified = value;
                return this;
            }

            public Resources build() {
                return new Resources(devices.isEmpty() ? null : List.copyOf(devices), memory, cpu, pids,
                        hugepageLimits, unified);
            }
        }
    }

    /** A cgroup device rule; null type/major/minor match any. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DeviceRule(boolean allow, String type, Long major, Long minor, String access) {

        public static DeviceRule allowAll() {
            return new DeviceRule(true, null, null, null, "rwm");
        }

        public static DeviceRule denyAll() {
            return new DeviceRule(false, null, null, null, "rwm");
        }

        /** Allows one char device ({@code minor} null: every minor of {@code major}). */
        public static DeviceRule allowChar(long major, Long minor) {
            return new DeviceRule(true, "c", major, minor, "rwm");
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Memory(Long limit, Long reservation, Long swap, Long swappiness) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Cpu(Long shares, Long quota, Long period, String cpus, String mems) {
    }

    public record Pids(long limit) {
    }

    public record HugepageLimit(String pageSize, long limit) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Seccomp(String defaultAction, Integer defaultErrnoRet, List<String> architectures,
            List<String> flags, List<Syscall> syscalls) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Syscall(List<String> names, String action, Integer errnoRet, List<SeccompArg> args) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SeccompArg(int index, long value, Long valueTwo, String op) {
    }
}
