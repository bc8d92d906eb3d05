package org.mooseng.chunkserver.data;

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
 * Gives the writes, truncates and syncs of one chunk a single order: the order in which this
 * server accepts them. Several clients may write one chunk at once, each on its own connection
 * and event loop; if their frames were applied or forwarded in different orders on different
 * servers, overlapping writes would leave replicas that differ, and a sync could pass a write
 * it was sent after.
 *
 * <p>Accepting a frame queues its disk work behind the chunk's earlier disk work and hands
 * its forward to the downstream connection of that chunk (which sends in call order), both
 * under the chunk's stripe lock, so no other frame of the chunk can come between the two.
 * A chunk's disk work runs one piece at a time on the disk executor; different chunks run in
 * parallel. A chunk without queued work has no entry here.
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

    /** The two halves of one accepted frame: its local update and the reply of the next server. */
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
    Accepted accept(long chunkId, Update local, Supplier<CompletableFuture<DataFrame>> forward) {
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
            // an earlier failure is that frame's own answer; it must not stop the ones after it
            CompletableFuture<Void> mine = previous.exceptionally(failure -> null).thenRunAsync(() -> {
                try {
                    local.apply();
                } catch (StatusException e) {
                    throw new CompletionException(e);
                }
            }, ordered);
            if (refusal[0] != null) {
                queued.decrementAndGet();
                return refused(refusal[0]);
            }
            tails.put(chunkId, mine);
            mine.whenComplete((ok, failure) -> {
                queued.decrementAndGet();
                tails.remove(chunkId, mine); // only if no later update has been queued behind it
            });
            return new Accepted(mine, forward.get());
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
