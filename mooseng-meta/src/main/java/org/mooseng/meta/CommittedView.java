package org.mooseng.meta;

import java.util.Optional;
import org.mooseng.meta.StateCache.EntryKey;
import org.mooseng.proto.SessionInfo;

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

    Optional<SessionInfo> session(long sessionId) {
        byte[] value = store.get(Family.SESSIONS, Keys.ofLong(sessionId));
        return value == null ? Optional.empty() : Optional.of(OpenCount.parseSession(value));
    }

    OpenCount openCount(long sessionId, long inode) {
        byte[] value = store.get(Family.OPEN_FILES, Keys.ofLongs(sessionId, inode));
        return value == null ? OpenCount.NONE : OpenCount.decode(value);
    }

    /** Whether a session other than {@code exceptSession} has {@code inode} open. */
    boolean openElsewhere(long inode, long exceptSession) {
        boolean[] found = {false};
        store.scan(Family.OPEN_INODES, null, Keys.ofLong(inode), Keys.prefixEnd(inode), (key, value) -> {
            if (Keys.longAt(key, Long.BYTES) != exceptSession) {
                found[0] = true;
                return false;
            }
            return true;
        });
        return found[0];
    }

    long nextSessionId() {
        byte[] value = store.get(Family.COUNTERS, OpenCount.NEXT_SESSION_KEY);
        return value == null ? 1 : Keys.longAt(value, 0);
    }
}
