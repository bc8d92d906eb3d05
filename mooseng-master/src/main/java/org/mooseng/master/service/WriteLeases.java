package org.mooseng.master.service;

import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The leader's write leases: for each chunk being written, the version and chain its writers
 * share, and the base version (the lowest version a chain member may still hold, because
 * writes of an earlier lease may not have reached it). Every writer of a chunk gets the same
 * lease while it is valid, so two mounts writing one chunk write the same version down the
 * same chain instead of each raising the version under the other; the version is raised only
 * when the chain must change (a writer excluded a failed server) or the lease ran out.
 *
 * <p>Grants and truncations of one inode are serialised ({@link #serialized}): each decides
 * on the chunk's version after the previous one is committed, so the leases never race the
 * log. Soft state: a new leader starts without leases, and its first grant of each chunk
 * raises the version.
 */
final class WriteLeases {
    /** A chunk's shared lease; {@code chain} lists server ids, head first. */
    record Lease(long chunkId, int version, int baseVersion, List<String> chain, long lastGrantMs) {
    }

    /** A chunk's lease lapses when no writer asked for it for this long. */
    static final long IDLE_MS = 60_000;

    private final LongSupplier clockMillis;
    private final long idleMs;
    private final Map<Long, Lease> leases = new HashMap<>();
    private final Map<Long, CompletableFuture<?>> inodeTails = new HashMap<>();

    WriteLeases(LongSupplier clockMillis) {
        this(clockMillis, IDLE_MS);
    }

    /** Leases not granted again for {@code idleMs} lapse: the next writer raises the version. */
    WriteLeases(LongSupplier clockMillis, long idleMs) {
        this.clockMillis = clockMillis;
        this.idleMs = idleMs;
    }

    /** The chunk's lease at {@code version}, if one is current. */
    synchronized Optional<Lease> current(long chunkId, int version) {
        Lease lease = leases.get(chunkId);
        if (lease == null || lease.version() != version) {
            return Optional.empty();
        }
        if (clockMillis.getAsLong() - lease.lastGrantMs() > idleMs) {
            leases.remove(chunkId);
            return Optional.empty();
        }
        return Optional.of(lease);
    }

    /**
     * The base version for raising the chunk from {@code currentVersion}: the lease's base
     * while one is current at that version (its writers may not have reached every member),
     * else the current version itself.
     */
    synchronized int baseFor(long chunkId, int currentVersion) {
        return current(chunkId, currentVersion).map(Lease::baseVersion).orElse(currentVersion);
    }

    /** Records (or renews) the chunk's lease. */
    synchronized Lease grant(long chunkId, int version, int baseVersion, List<String> chain) {
        Lease lease = new Lease(chunkId, version, baseVersion, List.copyOf(chain), clockMillis.getAsLong());
        leases.put(chunkId, lease);
        if (leases.size() % 1024 == 0) {
            dropLapsed();
        }
        return lease;
    }

    /** Forgets every lease (leadership changed). */
    synchronized void clear() {
        leases.clear();
    }

    synchronized int size() {
        return leases.size();
    }

    /**
     * Runs {@code work} after every earlier serialized work of the same inode completed
     * (successfully or not); its future completes with {@code work}'s.
     */
    <T> CompletableFuture<T> serialized(long inode, Supplier<CompletableFuture<T>> work) {
        CompletableFuture<T> next;
        synchronized (this) {
            CompletableFuture<?> previous = inodeTails.get(inode);
            next = previous == null ? start(work) : previous.handle((r, f) -> null).thenCompose(v -> start(work));
            inodeTails.put(inode, next);
        }
        CompletableFuture<T> tail = next;
        tail.whenComplete((r, f) -> {
            synchronized (this) {
                inodeTails.remove(inode, tail);
            }
        });
        return tail;
    }

    private static <T> CompletableFuture<T> start(Supplier<CompletableFuture<T>> work) {
        try {
            return work.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void dropLapsed() {
        long now = clockMillis.getAsLong();
        for (Iterator<Lease> it = leases.values().iterator(); it.hasNext(); ) {
            if (now - it.next().lastGrantMs() > idleMs) {
                it.remove();
            }
        }
    }
}
