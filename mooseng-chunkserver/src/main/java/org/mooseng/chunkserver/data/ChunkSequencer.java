package org.mooseng.chunkserver.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.mooseng.common.StatusException;
import org.mooseng.protocol.data.DataFrame;

/**
 * Gives the writes and truncates of one chunk a single order: the order in which this server
 * accepts them. Several clients may write one chunk at once, each on its own connection and
 * event loop; if their frames were applied or forwarded in different orders on different
 * servers, overlapping writes would leave replicas that differ.
 *
 * <p>Accepting a frame queues its disk work behind the chunk's earlier disk work and hands
 * its forward to the downstream connection of that chunk (which sends in call order), both
 * under the chunk's stripe lock, so no other frame of the chunk can come between the two.
 * A chunk's disk work runs one piece at a time on the disk executor; different chunks run in
 * parallel. A chunk without queued work has no entry here.
 *
 * <p>An update's local part is done, and its frame may be acknowledged, once the chunk has
 * been synced after it: the update that finds no later one of its chunk queued behind it runs
 * the chunk's sync, which covers every update of the chunk applied before it. A stream of
 * writes to one chunk thus costs one fsync per burst rather than one per frame, and no frame
 * is acknowledged before its bytes are on disk.
 */
final class ChunkSequencer {
    /** Accepted updates not yet applied, over all chunks; past this, new ones are refused with EAGAIN. */
    static final int MAX_QUEUED_UPDATES = 4096;
    private static final int STRIPES = 64;
    private static final CompletableFuture<Void> IDLE = CompletableFuture.completedFuture(null);

    private final Executor disk;
    private final Object[] stripes = new Object[STRIPES];
    /** The last accepted disk work of each chunk that still has some queued or running. */
    private final ConcurrentHashMap<Long, CompletableFuture<Void>> tails = new ConcurrentHashMap<>();
    /**
     * Updates applied and waiting for a sync of their chunk. A chunk's entry is only touched
     * under its stripe's lock; the map itself is shared by all stripes, hence concurrent.
     */
    private final Map<Long, List<CompletableFuture<Void>>> awaitingSync = new ConcurrentHashMap<>();
    private final AtomicInteger queued = new AtomicInteger();

    ChunkSequencer(Executor disk) {
        this.disk = disk;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Object();
        }
    }

    @FunctionalInterface
    interface Update {
        void apply() throws StatusException;
    }

    /** Forces what the chunk's applied updates left unforced to disk. */
    @FunctionalInterface
    interface Sync {
        void run() throws StatusException;
    }

    /** The two halves of one accepted frame: its local update (applied and synced) and the reply of the next server. */
    record Accepted(CompletableFuture<Void> local, CompletableFuture<DataFrame> downstream) {
    }

    /**
     * Accepts one update of {@code chunkId}: {@code local} runs on the disk executor after every
     * update of the chunk accepted before it (whether those succeeded or not), and
     * {@code forward} is called before any later update of the chunk is accepted. When too
     * many updates are queued or the disk queue is full, the frame is refused (the local future
     * fails with a {@link RejectedExecutionException}) and not forwarded, so no replica applies
     * it. Once accepted, a frame is applied even when the disk queue is full at its turn: it
     * then runs on the disk thread that finished the chunk's previous update.
     */
    Accepted accept(long chunkId, Update local, Sync sync, Supplier<CompletableFuture<DataFrame>> forward) {
        Object stripe = stripe(chunkId);
        synchronized (stripe) {
            if (queued.incrementAndGet() > MAX_QUEUED_UPDATES) {
                queued.decrementAndGet();
                return refused(new RejectedExecutionException(MAX_QUEUED_UPDATES + " updates already queued"));
            }
            RejectedExecutionException[] refusal = new RejectedExecutionException[1];
            Executor ordered = task -> {
                try {
                    disk.execute(task);
                } catch (RejectedExecutionException e) {
                    if (Thread.holdsLock(stripe)) {
                        refusal[0] = e; // still accepting: refuse the frame as a whole
                        throw e;
                    }
                    // a disk thread that just finished the chunk's previous update: the frame is
                    // already forwarded, so it must be applied here too, and in its turn
                    task.run();
                }
            };
            CompletableFuture<Void> previous = tails.getOrDefault(chunkId, IDLE);
            CompletableFuture<Void> durable = new CompletableFuture<>();
            CompletableFuture<?>[] applied = new CompletableFuture<?>[1];
            // an earlier failure is that frame's own answer; it must not stop the ones after it
            CompletableFuture<Void> mine = previous.exceptionally(failure -> null).thenRunAsync(
                    () -> applyThenSync(chunkId, stripe, local, sync, applied, durable), ordered);
            applied[0] = mine;
            if (refusal[0] != null) {
                queued.decrementAndGet();
                return refused(refusal[0]);
            }
            tails.put(chunkId, mine);
            mine.whenComplete((ok, failure) -> {
                queued.decrementAndGet();
                tails.remove(chunkId, mine); // only if no later update has been queued behind it
            });
            return new Accepted(durable, forward.get());
        }
    }

    /**
     * Applies one update, then, unless a later update of the chunk is queued (which will), syncs
     * the chunk and completes every update waiting for that sync.
     */
    private void applyThenSync(long chunkId, Object stripe, Update local, Sync sync, CompletableFuture<?>[] self,
                               CompletableFuture<Void> durable) {
        Throwable failure = null;
        try {
            local.apply();
        } catch (StatusException | RuntimeException e) {
            failure = e; // this frame's answer; the updates it was to sync for are synced all the same
        }
        List<CompletableFuture<Void>> covered;
        synchronized (stripe) {
            if (failure == null) {
                awaitingSync.computeIfAbsent(chunkId, k -> new ArrayList<>()).add(durable);
            }
            // accept() set self and the chunk's tail under this lock before this block could run
            boolean last = tails.get(chunkId) == self[0];
            covered = last ? awaitingSync.remove(chunkId) : null;
        }
        if (failure != null) {
            durable.completeExceptionally(new CompletionException(failure));
        }
        if (covered == null) {
            return;
        }
        try {
            sync.run();
            covered.forEach(f -> f.complete(null));
        } catch (StatusException e) {
            covered.forEach(f -> f.completeExceptionally(new CompletionException(e)));
        } catch (RuntimeException e) {
            covered.forEach(f -> f.completeExceptionally(e));
            throw e;
        }
    }

    private static Accepted refused(RejectedExecutionException reason) {
        return new Accepted(CompletableFuture.failedFuture(reason), CompletableFuture.completedFuture(null));
    }

    /** Chunks with accepted updates not yet applied (for tests: idle chunks must not accumulate). */
    int busyChunks() {
        return tails.size();
    }

    private Object stripe(long chunkId) {
        return stripes[(int) Math.floorMod(chunkId, (long) STRIPES)];
    }
}
