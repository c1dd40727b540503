package dev.berth.cni.builtin;

import dev.berth.cni.PodIp;
import dev.berth.common.error.BerthException;
import dev.berth.common.fs.AtomicFiles;
import dev.berth.common.net.Addresses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Address allocation in the manner of CNI's host-local: one file per handed-out address, named by the address and
 * holding the owning sandbox and interface. Files are written atomically and only under the lock (an in-process
 * lock plus a {@link FileLock} on {@code lock}, for another process on the same state dir), so an address is never
 * handed out twice, even across crashes. Allocation walks on from the last address handed out per pool, so a
 * released address is not reused at once.
 */
final class Ipam {

    private static final String LOCK_FILE = "lock";
    private static final String LAST_RESERVED_PREFIX = "last_reserved.";

    private final Path dir;
    private final ReentrantLock localLock = new ReentrantLock();

    Ipam(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    /**
     * One address from each pool, or the requested ones (each must fall in a pool), for the owner. All or nothing.
     */
    List<PodIp> allocate(String owner, String interfaceName, List<IpPool> pools, List<InetAddress> requested) {
        return locked(() -> {
            List<PodIp> allocated = new ArrayList<>();
            try {
                for (IpPool pool : pools) {
                    Optional<InetAddress> wanted = requested.stream().filter(a -> pool.subnet().contains(a))
                            .findFirst();
                    InetAddress address = wanted.isPresent() ? claim(pool, wanted.get(), owner, interfaceName)
                            : next(pool, owner, interfaceName);
                    allocated.add(new PodIp(address, pool.subnet().prefixLength(), Optional.of(pool.gateway())));
                }
                for (InetAddress address : requested) {
                    if (pools.stream().noneMatch(p -> p.subnet().contains(address))) {
                        throw BerthException.invalidArgument("requested address " + Addresses.format(address)
                                + " is in none of the pod subnets " + pools);
                    }
                }
            } catch (RuntimeException e) {
                allocated.forEach(ip -> deleteIfOwned(ip.address(), owner));
                throw e;
            }
            return allocated;
        });
    }

    /** Releases the given addresses if the owner still holds them. */
    void release(String owner, Collection<InetAddress> addresses) {
        locked(() -> {
            addresses.forEach(address -> deleteIfOwned(address, owner));
            return null;
        });
    }

    /** Releases every address the owner holds; returns how many. */
    int releaseAll(String owner) {
        return locked(() -> {
            int released = 0;
            for (Map.Entry<InetAddress, String> entry : scan().entrySet()) {
                if (entry.getValue().equals(owner) && deleteIfOwned(entry.getKey(), owner)) {
                    released++;
                }
            }
            return released;
        });
    }

    /** Every handed-out address and its owner. */
    Map<InetAddress, String> owners() {
        return locked(this::scan);
    }

    /** Removes temp files a crash left behind mid-write (AtomicFiles names them ".<name>.tmp-…"). */
    void removeTempFiles() {
        locked(() -> {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : files.filter(f -> f.getFileName().toString().startsWith(".")).toList()) {
                    Files.deleteIfExists(file);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot clean " + dir, e);
            }
            return null;
        });
    }

    private InetAddress next(IpPool pool, String owner, String interfaceName) {
        BigInteger first = pool.firstHost();
        BigInteger last = pool.lastHost();
        BigInteger candidate = lastReserved(pool).map(BigInteger.ONE::add)
                .filter(v -> v.compareTo(first) >= 0 && v.compareTo(last) <= 0).orElse(first);
        BigInteger start = candidate;
        do {
            InetAddress address = Addresses.fromInteger(candidate, pool.isIpv4());
            if (!Files.exists(file(address))) {
                write(address, owner, interfaceName);
                rememberLastReserved(pool, candidate);
                return address;
            }
            candidate = candidate.equals(last) ? first : candidate.add(BigInteger.ONE);
        } while (!candidate.equals(start));
        throw new BerthException(BerthException.Kind.RESOURCE_EXHAUSTED,
                "no free address left in pod subnet " + pool.subnet());
    }

    private InetAddress claim(IpPool pool, InetAddress address, String owner, String interfaceName) {
        BigInteger value = Addresses.toInteger(address);
        if (value.compareTo(pool.firstHost()) < 0 || value.compareTo(pool.lastHost()) > 0) {
            throw BerthException.invalidArgument("requested address " + Addresses.format(address)
                    + " is reserved in " + pool.subnet());
        }
        Optional<String> holder = ownerOf(address);
        if (holder.isPresent() && !holder.get().equals(owner)) {
            throw BerthException.alreadyExists("requested address " + Addresses.format(address)
                    + " is held by sandbox " + holder.get());
        }
        write(address, owner, interfaceName);
        return address;
    }

    private void write(InetAddress address, String owner, String interfaceName) {
        AtomicFiles.replace(file(address), (owner + "\n" + interfaceName + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private boolean deleteIfOwned(InetAddress address, String owner) {
        if (ownerOf(address).filter(owner::equals).isEmpty()) {
            return false;
        }
        try {
            return Files.deleteIfExists(file(address));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot release " + Addresses.format(address), e);
        }
    }

    private Optional<String> ownerOf(InetAddress address) {
        try {
            String content = Files.readString(file(address), StandardCharsets.UTF_8);
            int newline = content.indexOf('\n');
            return Optional.of((newline < 0 ? content : content.substring(0, newline)).strip());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read allocation of " + Addresses.format(address), e);
        }
    }

    private Map<InetAddress, String> scan() {
        Map<InetAddress, String> owners = new HashMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                if (name.startsWith(".") || name.equals(LOCK_FILE) || name.startsWith(LAST_RESERVED_PREFIX)) {
                    continue;
                }
                InetAddress address;
                try {
                    address = Addresses.parse(name);
                } catch (BerthException e) {
                    continue;
                }
                ownerOf(address).ifPresent(owner -> owners.put(address, owner));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        return owners;
    }

    private Optional<BigInteger> lastReserved(IpPool pool) {
        try {
            return Optional.of(Addresses.toInteger(Addresses.parse(
                    Files.readString(dir.resolve(LAST_RESERVED_PREFIX + pool.key())))));
        } catch (IOException | RuntimeException e) {
            // Missing or torn (it is a hint, written without fsync): start at the pool's first address.
            return Optional.empty();
        }
    }

    private void rememberLastReserved(IpPool pool, BigInteger value) {
        try {
            Files.writeString(dir.resolve(LAST_RESERVED_PREFIX + pool.key()),
                    Addresses.format(Addresses.fromInteger(value, pool.isIpv4())));
        } catch (IOException e) {
            // Only a hint for where to search next.
        }
    }

    private Path file(InetAddress address) {
        return dir.resolve(Addresses.format(address));
    }

    private <T> T locked(Supplier<T> action) {
        localLock.lock();
        try (FileChannel channel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
             FileLock ignored = channel.lock()) {
            return action.get();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + dir.resolve(LOCK_FILE), e);
        } finally {
            localLock.unlock();
        }
    }
}
