package org.mooseng.meta;

import java.util.Optional;
import org.mooseng.meta.StateCache.EntryKey;

/** Reads of the committed state, inodes and entries through the cache, the rest straight from RocksDB. */
final class CommittedView {
    private final RocksStore store;
    private final StateCache cache;

    CommittedView(RocksStore store, StateCache cache) {
        this.store = store;
        this.cache = cache;
    }

    RocksStore store() {
        return store;
    }

    StateCache cache() {
        return cache;
    }

    Optional<InodeRecord> inode(long id) {
        return cache.inode(id, key -> {
            byte[] value = store.get(Family.INODES, Keys.ofLong(key));
            return value == null ? Optional.empty() : Optional.of(InodeCodec.decode(key, value));
        });
    }

    Optional<EntryRecord> entry(long parent, String name) {
        return cache.entry(new EntryKey(parent, name), key -> {
            byte[] value = store.get(Family.ENTRIES, Keys.ofLongAndName(key.parent(), key.name()));
            return value == null ? Optional.empty() : Optional.of(EntryRecord.decode(value));
        });
    }

    Optional<byte[]> symlinkTarget(long inode) {
        return Optional.ofNullable(store.get(Family.SYMLINKS, Keys.ofLong(inode)));
    }

    Optional<byte[]> xattr(long inode, String name) {
        return Optional.ofNullable(store.get(Family.XATTRS, Keys.ofLongAndName(inode, name)));
    }

    Optional<ChunkSlot> chunkSlot(long inode, long chunkIndex) {
        byte[] value = store.get(Family.FILE_CHUNKS, Keys.ofLongs(inode, chunkIndex));
        return value == null ? Optional.empty() : Optional.of(ChunkSlot.decode(value));
    }
}
