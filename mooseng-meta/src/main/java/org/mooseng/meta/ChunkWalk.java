package org.mooseng.meta;

import java.util.List;
import org.mooseng.meta.NamespaceReader.ChunkRecord;
import org.rocksdb.ReadOptions;
import org.rocksdb.Snapshot;

/** A walk over every chunk, page by page, from one RocksDB snapshot. */
final class ChunkWalk {
    static final int PAGE_RECORDS = 4096;

    private final RocksStore store;
    private final Snapshot snapshot;
    private byte[] nextKey = Keys.ofLongs(0, 0);
    private long goalInode = -1;
    private int goal;

    ChunkWalk(CommittedView view) {
        this.store = view.store();
        this.snapshot = store.snapshot();
    }

    /** Fills {@code page}; false when the walk is complete. */
    boolean nextPage(CommittedView view, List<ChunkRecord> page) {
        requireSameStore(view);
        try (ReadOptions atSnapshot = new ReadOptions().setSnapshot(snapshot)) {
            boolean[] more = {false};
            store.scan(Family.FILE_CHUNKS, snapshot, nextKey, Keys.ofLong(Long.MAX_VALUE), (key, value) -> {
                if (page.size() == PAGE_RECORDS) {
                    nextKey = key;
                    more[0] = true;
                    return false;
                }
                long inode = Keys.longAt(key, 0);
                if (inode != goalInode) {
                    byte[] record = store.get(Family.INODES, atSnapshot, Keys.ofLong(inode));
                    goal = record == null ? 0 : InodeCodec.decode(inode, record).goal();
                    goalInode = inode;
                }
                ChunkSlot slot = ChunkSlot.decode(value);
                page.add(new ChunkRecord(slot.chunkId(), slot.version(), inode, Keys.longAt(key, Long.BYTES), goal,
                        slot.raise()));
                return true;
            });
            return more[0];
        }
    }

    void release(CommittedView view) {
        if (view.store() == store) {
            store.release(snapshot);
        }
    }

    private void requireSameStore(CommittedView view) {
        if (view.store() != store) {
            throw new IllegalStateException("metadata store was restored during a chunk walk");
        }
    }
}
