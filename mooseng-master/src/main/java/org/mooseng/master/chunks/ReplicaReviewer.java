package org.mooseng.master.chunks;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.mooseng.meta.ChunkRaise;
import org.mooseng.meta.NamespaceReader;
import org.mooseng.meta.NamespaceReader.ChunkRecord;
import org.mooseng.proto.ChunkRaiseOrder;
import org.mooseng.proto.ChunkReport;

/**
 * Decides what happens to a chunk server's replicas. Run on the leader only, for the replicas
 * the registry queued for review. A replica is deleted when no file refers to its chunk any
 * more (released or orphan), or when it is stale and a valid copy exists elsewhere. A copy
 * that missed only the last raise of its chunk's version (see {@link ChunkRaise}) is brought
 * to the version in place instead. A chunk id at or above the namespace's next id was not
 * allocated by this cluster and is never touched.
 */
public final class ReplicaReviewer {
    /** What one server is told to do with its replicas. */
    public record Orders(List<ChunkReport> deletions, List<ChunkRaiseOrder> raises) {
    }

    private final ChunkRegistry registry;

    public ReplicaReviewer(ChunkRegistry registry) {
        this.registry = registry;
    }

    /** Reviews up to {@code max} queued replicas of one server; deleted ones are forgotten. */
    public Orders review(String serverId, int max, NamespaceReader namespace) {
        List<ChunkReport> deletions = new ArrayList<>();
        List<ChunkRaiseOrder> raises = new ArrayList<>();
        long nextChunkId = namespace.nextChunkId();
        for (long chunkId : registry.takeForReview(serverId, max)) {
            OptionalInt held = registry.versionOn(serverId, chunkId);
            if (held.isEmpty() || chunkId >= nextChunkId) {
                continue;
            }
            // The namespace's version, looked up now: the registry keeps no versions of its own.
            Optional<ChunkRecord> current = namespace.chunk(chunkId);
            int heldVersion = held.getAsInt();
            if (current.isPresent() && current.get().raise().missedOnlyThisRaise(serverId, heldVersion,
                    current.get().version())) {
                ChunkRecord chunk = current.get();
                raises.add(ChunkRaiseOrder.newBuilder().setChunkId(chunkId).setFromVersion(heldVersion)
                        .setVersion(chunk.version()).setTruncateToBytes(chunk.raise().truncatedToBytes()).build());
            } else if (current.isEmpty() || isStaleWithValidCopyElsewhere(serverId, heldVersion, current.get())) {
                deletions.add(ChunkReport.newBuilder().setChunkId(chunkId).setVersion(heldVersion).build());
                registry.dropReplica(serverId, chunkId);
            }
        }
        return new Orders(deletions, raises);
    }

    /** The deletions of {@link #review}. */
    public List<ChunkReport> deletionsFor(String serverId, int max, NamespaceReader namespace) {
        return review(serverId, max, namespace).deletions();
    }

    private boolean isStaleWithValidCopyElsewhere(String serverId, int heldVersion, ChunkRecord chunk) {
        if (Integer.compareUnsigned(heldVersion, chunk.version()) >= 0) {
            // A copy at least as new as the namespace's: keep.
            return false;
        }
        return registry.replicas(chunk.chunkId(), chunk.version(), chunk.raise()).stream()
                .anyMatch(r -> r.valid() && !r.server().serverId().equals(serverId));
    }
}
