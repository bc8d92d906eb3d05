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
 * Collects the replica changes not yet told to the master. A chunk's latest change wins, so
 * a chunk is in at most one list: created then deleted is reported as deleted only. Deleted
 * replicas (removed on the master's order or by this server) and damaged ones are kept
 * apart, so the master can tell housekeeping from damage.
 */
public final class ChunkChangeTracker implements ChunkStoreListener {
    private final Map<Long, ChunkReport> changed = new LinkedHashMap<>();
    private final Map<Long, ChunkReport> deleted = new LinkedHashMap<>();
    private final Map<Long, ChunkReport> lost = new LinkedHashMap<>();

    /** The changes to send with one heartbeat. */
    public record Batch(List<ChunkReport> changed, List<ChunkReport> deleted, List<ChunkReport> lost) {
    }

    @Override
    public synchronized void changed(StoredChunk chunk) {
        forget(chunk.id().value());
        changed.put(chunk.id().value(), report(chunk.id(), chunk.version()));
    }

    @Override
    public synchronized void removed(ChunkId id, ChunkVersion version, boolean damaged) {
        forget(id.value());
        (damaged ? lost : deleted).put(id.value(), report(id, version));
    }

    /** Takes every pending change. */
    public synchronized Batch drain() {
        Batch batch = new Batch(List.copyOf(changed.values()), List.copyOf(deleted.values()),
                List.copyOf(lost.values()));
        clear();
        return batch;
    }

    /** Puts back a batch the master did not receive, unless a newer change of the same chunk arrived meanwhile. */
    public synchronized void restore(Batch batch) {
        restoreInto(changed, batch.changed());
        restoreInto(deleted, batch.deleted());
        restoreInto(lost, batch.lost());
    }

    /** Forgets everything: a full registration is about to report the whole replica set. */
    public synchronized void clear() {
        changed.clear();
        deleted.clear();
        lost.clear();
    }

    private void restoreInto(Map<Long, ChunkReport> list, List<ChunkReport> reports) {
        for (ChunkReport r : reports) {
            if (!isPending(r.getChunkId())) {
                list.put(r.getChunkId(), r);
            }
        }
    }

    private boolean isPending(long chunkId) {
        return changed.containsKey(chunkId) || deleted.containsKey(chunkId) || lost.containsKey(chunkId);
    }

    private void forget(long chunkId) {
        changed.remove(chunkId);
        deleted.remove(chunkId);
        lost.remove(chunkId);
    }

    private static ChunkReport report(ChunkId id, ChunkVersion version) {
        return ChunkReport.newBuilder().setChunkId(id.value()).setVersion(version.value()).build();
    }
}
