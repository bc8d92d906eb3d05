package org.mooseng.master.chunks;

import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.mooseng.meta.NamespaceReader;

/**
 * How many chunks have fewer valid replicas than their goal, and how many have none. Counting
 * walks every chunk of the namespace, so it runs in the background on the leader and admin
 * queries read the last result instead of scanning per call.
 */
public final class ChunkHealth {
    /** The result of one walk; {@code computedAtMillis} is 0 before the first one. */
    public record Counts(long underGoal, long missing, long computedAtMillis) {
        static final Counts NONE = new Counts(0, 0, 0);
    }

    private final NamespaceReader namespace;
    private final ChunkRegistry registry;
    private final BooleanSupplier isLeader;
    private final LongSupplier clockMillis;
    private volatile Counts last = Counts.NONE;

    public ChunkHealth(NamespaceReader namespace, ChunkRegistry registry, BooleanSupplier isLeader,
                       LongSupplier clockMillis) {
        this.namespace = namespace;
        this.registry = registry;
        this.isLeader = isLeader;
        this.clockMillis = clockMillis;
    }

    /** Walks the namespace once (only on the leader: a follower's registry is not authoritative). */
    public void refresh() {
        if (!isLeader.getAsBoolean()) {
            last = Counts.NONE;
            return;
        }
        long[] underGoalAndMissing = new long[2];
        namespace.forEachChunk(chunk -> {
            long valid = registry.replicas(chunk.chunkId(), chunk.version(), chunk.raise()).stream()
                    .filter(ReplicaView::valid).count();
            if (valid == 0) {
                underGoalAndMissing[1]++;
            } else if (valid < chunk.goal()) {
                underGoalAndMissing[0]++;
            }
        });
        last = new Counts(underGoalAndMissing[0], underGoalAndMissing[1], clockMillis.getAsLong());
    }

    public Counts last() {
        return last;
    }
}
