package org.mooseng.master.chunks;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.mooseng.meta.NamespaceReader;
import org.mooseng.meta.NamespaceReader.ChunkRecord;
import org.mooseng.proto.ChunkReport;

/**
 * Decides which of a chunk server's replicas it may delete. Run on the leader only, for the
 * replicas the registry queued for review. A replica is deleted when no file refers to its
 * chunk any more (released or orphan), or when it is stale and a valid copy exists elsewhere.
 * A chunk id at or above the namespace's next id was not allocated by this cluster and is
 * never touched.
 */
public final class ReplicaReviewer {
    private final ChunkRegistry registry;

    public ReplicaReviewer(ChunkRegistry registry) {
        this.registry = registry;
    }

    /** Reviews up to {@code max} queued replicas of one server; the ones returned are forgotten. */
    public List<ChunkReport> deletionsFor(String serverId, int max, NamespaceReader namespace) {
        List<ChunkReport> deletions = new ArrayList<>();
        long nextChunkId = namespace.nextChunkId();
        for (long chunkId : registry.takeForReview(serverId, max)) {
            OptionalInt held = registry.versionOn(serverId, chunkId);
            if (held.isEmpty() || chunkId >= nextChunkId) {
                continue;
            }
            // The namespace's version, looked up now: the registry keeps no versions of its own.
            Optional<ChunkRecord> current = namespace.chunk(chunkId);
            if (current.isEmpty() || isStaleWithValidCopyElsewhere(serverId, chunkId, held.getAsInt(),
                    current.get().version())) {
                deletions.add(ChunkReport.newBuilder().setChunkId(chunkId).setVersion(held.getAsInt()).build());
                registry.dropReplica(serverId, chunkId);
            }
        }
        return deletions;
    }

    private boolean isStaleWithValidCopyElsewhere(String serverId, long chunkId, int heldVersion, int currentVersion) {
        if (Integer.compareUnsigned(heldVersion, currentVersion) >= 0) {
            // A copy at least as new as the namespace's: keep.
            return false;
        }
        return registry.replicas(chunkId, currentVersion).stream()
                .anyMatch(r -> r.valid() && !r.server().serverId().equals(serverId));
    }
}
