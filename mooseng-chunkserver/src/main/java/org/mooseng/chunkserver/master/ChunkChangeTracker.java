package org.mooseng.chunkserver.master;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mooseng.chunkserver.store.ChunkStoreListener;
import org.mooseng.chunkserver.store.StoredChunk;
import org.mooseng.common.ChunkId;
import org.mooseng.common.ChunkVersion;
import org.mooseng.proto.ChunkReport;

/**
 * Collects the replica changes not yet told to the master. A chunk's latest change wins:
 * created then deleted is reported as removed only. Deleted and damaged replicas both go to
 * the heartbeat's {@code lost} list, since for the master either way the replica is gone.
 */
public final class ChunkChangeTracker implements ChunkStoreListener {
    private final Map<Long, ChunkReport> changed = new LinkedHashMap<>();
    private final Map<Long, ChunkReport> lost = new LinkedHashMap<>();

    /** The changes to send with one heartbeat. */
    public record Batch(List<ChunkReport> changed, List<ChunkReport> lost) {
    }

    @Override
    public synchronized void changed(StoredChunk chunk) {
        lost.remove(chunk.id().value());
        changed.put(chunk.id().value(), report(chunk.id(), chunk.version()));
    }

    @Override
    public synchronized void removed(ChunkId id, ChunkVersion version, boolean damaged) {
        changed.remove(id.value());
        lost.put(id.value(), report(id, version));
    }

    /** Takes every pending change. */
    public synchronized Batch drain() {
        Batch batch = new Batch(List.copyOf(changed.values()), List.copyOf(lost.values()));
        changed.clear();
        lost.clear();
        return batch;
    }

    /** Puts back a batch the master did not receive, unless a newer change of the same chunk arrived meanwhile. */
    public synchronized void restore(Batch batch) {
        for (ChunkReport r : batch.changed()) {
            if (!lost.containsKey(r.getChunkId())) {
                changed.putIfAbsent(r.getChunkId(), r);
            }
        }
        for (ChunkReport r : batch.lost()) {
            if (!changed.containsKey(r.getChunkId())) {
                lost.putIfAbsent(r.getChunkId(), r);
            }
        }
    }

    /** Forgets everything: a full registration is about to report the whole replica set. */
    public synchronized void clear() {
        changed.clear();
        lost.clear();
    }

    private static ChunkReport report(ChunkId id, ChunkVersion version) {
        return ChunkReport.newBuilder().setChunkId(id.value()).setVersion(version.value()).build();
    }
}
