package org.mooseng.meta;

import java.util.List;
import org.mooseng.common.Layout;
import org.mooseng.common.Status;
import org.mooseng.common.StatusException;
import org.mooseng.proto.ChunkWriteBeginOp;
import org.mooseng.proto.ChunkWriteEndOp;
import org.mooseng.proto.MetaResult;
import org.mooseng.proto.Timespec;

/** The chunk list of regular files: write sessions and truncation. */
final class ChunkOps {
    private ChunkOps() {
    }

    static MetaResult.Builder writeBegin(ApplyBatch tx, ChunkWriteBeginOp op) throws StatusException {
        InodeRecord node = requireRegular(tx, op.getInode());
        long chunkIndex = op.getChunkIndex();
        if (chunkIndex < 0) {
            throw new StatusException(Status.EFBIG, "inode " + node.inode() + ": chunk index out of range");
        }
        var existing = tx.chunkSlot(node.inode(), chunkIndex);
        ChunkSlot slot;
        int previousVersion;
        if (existing.isPresent()) {
            ChunkSlot before = existing.get();
            previousVersion = before.version();
            ChunkRaise raise = new ChunkRaise(before.raise().nextFloor(previousVersion, op.getBaseVersion()),
                    op.getChainList(), -1);
            slot = new ChunkSlot(before.chunkId(), previousVersion + 1, raise);
        } else {
            // A new chunk has no copies below its first version: the floor is the version, as if
            // no raise were recorded. The chain is kept for a leader that did not grant the lease
            // (or lost it in a restart) and finds no copy of the chunk anywhere.
            previousVersion = 0;
            slot = new ChunkSlot(tx.allocateChunk(), 1, new ChunkRaise(1, op.getChainList(), -1));
            tx.setCounters(tx.counters().plusStats(0, 0, 0, 1, 0));
        }
        tx.putChunk(node.inode(), chunkIndex, slot);
        return Results.ok(node).setChunk(slot.toRef(chunkIndex, previousVersion));
    }

    static MetaResult.Builder writeEnd(ApplyBatch tx, Timespec now, ChunkWriteEndOp op) throws StatusException {
        InodeRecord node = requireRegular(tx, op.getInode());
        long newSize = Math.max(node.sizeBytes(), op.getNewSize());
        if (op.getNewSize() < 0) {
            throw new StatusException(Status.EFBIG, "inode " + node.inode() + ": size out of range");
        }
        tx.setCounters(tx.counters().plusStats(0, 0, 0, 0, newSize - node.sizeBytes()));
        InodeRecord updated = node.withSize(newSize).withMtime(now).withCtime(now);
        tx.putInode(updated);
        return Results.ok(updated);
    }

    /**
     * Sets the size of a regular file. Chunks wholly past the new end are released; a chunk the
     * new end cuts into gets a new version, returned with its previous one so the master can
     * truncate the replicas; {@code cutChain} (the servers holding that chunk, chosen by the
     * leader) is recorded with the raise.
     */
    static InodeRecord truncate(ApplyBatch tx, InodeRecord node, long newSizeBytes, List<String> cutChain,
            Timespec now, MetaResult.Builder result) throws StatusException {
        if (newSizeBytes < 0) {
            throw new StatusException(Status.EFBIG, "inode " + node.inode() + ": size out of range");
        }
        long oldSizeBytes = node.sizeBytes();
        long firstReleased = Math.ceilDiv(newSizeBytes, Layout.CHUNK_SIZE_BYTES);
        tx.deleteChunksFrom(node.inode(), firstReleased, result::addReleasedChunks);
        if (newSizeBytes < oldSizeBytes && newSizeBytes % Layout.CHUNK_SIZE_BYTES != 0) {
            long cutIndex = newSizeBytes / Layout.CHUNK_SIZE_BYTES;
            var cut = tx.chunkSlot(node.inode(), cutIndex);
            if (cut.isPresent()) {
                // Members of the cut's chain left at the version before it lack only the cut.
                ChunkRaise raise = new ChunkRaise(cut.get().version(), cutChain,
                        newSizeBytes % Layout.CHUNK_SIZE_BYTES);
                ChunkSlot bumped = new ChunkSlot(cut.get().chunkId(), cut.get().version() + 1, raise);
                tx.putChunk(node.inode(), cutIndex, bumped);
                result.setChunk(bumped.toRef(cutIndex, cut.get().version()));
            }
        }
        tx.setCounters(tx.counters().plusStats(0, 0, 0, 0, newSizeBytes - oldSizeBytes));
        return node.withSize(newSizeBytes).withMtime(now).withCtime(now);
    }

    private static InodeRecord requireRegular(ApplyBatch tx, long inode) throws StatusException {
        InodeRecord node = tx.requireInode(inode);
        if (node.isDirectory()) {
            throw new StatusException(Status.EISDIR, "inode " + inode + " is a directory");
        }
        if (!node.isRegular()) {
            throw new StatusException(Status.EINVAL, "inode " + inode + " is not a regular file");
        }
        return node;
    }
}
