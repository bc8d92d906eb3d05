package org.mooseng.meta;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.Lock;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.mooseng.common.Status;
import org.mooseng.common.StatusException;
import org.mooseng.meta.StateCache.EntryKey;
import org.mooseng.proto.DirEntry;
import org.mooseng.proto.FileType;
import org.mooseng.proto.SessionInfo;
import org.rocksdb.WriteBatch;

/**
 * The pending changes of one op. Inodes and directory entries are read back through an
 * overlay, because an op often changes the same directory twice (rename within one
 * directory); the other families are written once per op and never read back before the
 * commit, so their mutations are only recorded. Nothing reaches RocksDB or the cache
 * until {@link #commit}, which makes a rejected op change nothing but the bookkeeping
 * (the table of applied requests, written for rejected ops too).
 */
final class ApplyBatch {
    private final CommittedView committed;
    private final Counters countersBefore;
    private Counters counters;
    private final Map<Long, Optional<InodeRecord>> inodes = new LinkedHashMap<>();
    private final Map<EntryKey, Optional<EntryRecord>> entries = new LinkedHashMap<>();
    private final List<RawMutation> raw = new ArrayList<>();
    /** The DIR_INDEX changes again, in order, for the cached listings. */
    private final List<ListingChange> listingChanges = new ArrayList<>();
    /** Written whether the op is accepted or rejected: a retry must see a rejection too. */
    private final List<RawMutation> bookkeeping = new ArrayList<>();
    /** The op's MetaOp.keep_unnamed_files: unnamed regular files wait for a PurgeRetainedOp. */
    private boolean keepUnnamedFiles;
    /** The op retained an inode or dropped an open: a file may have become purgeable. */
    private boolean purgeCandidatesChanged;

    ApplyBatch(CommittedView committed, Counters counters) {
        this.committed = committed;
        this.countersBefore = counters;
        this.counters = counters;
    }

    /** Whether the op, if its changes are applied, may have made a retained file purgeable. */
    boolean purgeCandidatesChanged() {
        return purgeCandidatesChanged;
    }

    void keepUnnamedFiles(boolean keep) {
        keepUnnamedFiles = keep;
    }

    /** Whether a regular file left without a name (and without logged opens) stays retained for the leader's purge. */
    boolean keepsUnnamedFiles() {
        return keepUnnamedFiles;
    }

    Counters counters() {
        return counters;
    }

    void setCounters(Counters updated) {
        counters = updated;
    }

    long allocateInode() {
        long id = counters.nextInode();
        counters = counters.withNextInode(id + 1);
        return id;
    }

    long allocateChunk() {
        long id = counters.nextChunk();
        counters = counters.withNextChunk(id + 1);
        return id;
    }

    // ------------------------------------------------------------------ inodes

    Optional<InodeRecord> inode(long id) {
        Optional<InodeRecord> pending = inodes.get(id);
        return pending != null ? pending : committed.inode(id);
    }

    InodeRecord requireInode(long id) throws StatusException {
        return inode(id).orElseThrow(() -> new StatusException(Status.ENOENT, "inode " + id + " does not exist"));
    }

    /** The inode {@code id} as a directory: ENOENT if missing, ENOTDIR if it is something else. */
    InodeRecord requireDirectory(long id) throws StatusException {
        InodeRecord dir = requireInode(id);
        if (!dir.isDirectory()) {
            throw new StatusException(Status.ENOTDIR, "inode " + id + " is not a directory");
        }
        return dir;
    }

    void putInode(InodeRecord record) {
        inodes.put(record.inode(), Optional.of(record));
    }

    void deleteInode(long id) {
        inodes.put(id, Optional.empty());
    }

    // ------------------------------------------------------------------ directory entries

    Optional<EntryRecord> entry(long parent, String name) {
        Optional<EntryRecord> pending = entries.get(new EntryKey(parent, name));
        return pending != null ? pending : committed.entry(parent, name);
    }

    /** Adds {@code name -> child} to {@code parentId} with the directory's next sequence number. */
    InodeRecord addEntry(long parentId, String name, long child, FileType type) throws StatusException {
        InodeRecord parent = requireDirectory(parentId);
        long seq = parent.nextEntrySeq();
        entries.put(new EntryKey(parentId, name), Optional.of(new EntryRecord(child, type, seq)));
        byte[] indexValue = DirIndexValue.encode(child, type, name);
        raw.add(RawMutation.put(Family.DIR_INDEX, Keys.ofLongs(parentId, seq), indexValue));
        listingChanges.add(new ListingChange(parentId, seq, indexValue));
        InodeRecord updated = parent.withEntryAdded();
        putInode(updated);
        return updated;
    }

    InodeRecord removeEntry(long parentId, String name) throws StatusException {
        InodeRecord parent = requireDirectory(parentId);
        EntryRecord entry = entry(parentId, name)
                .orElseThrow(() -> new IllegalStateException("inode " + parentId + ": no entry " + name));
        entries.put(new EntryKey(parentId, name), Optional.empty());
        raw.add(RawMutation.delete(Family.DIR_INDEX, Keys.ofLongs(parentId, entry.seq())));
        listingChanges.add(new ListingChange(parentId, entry.seq(), null));
        InodeRecord updated = parent.withEntryRemoved();
        putInode(updated);
        return updated;
    }

    /** The committed entries of {@code dir} in readdir order (entries added by this op are not seen). */
    void forEachCommittedEntry(long dir, Consumer<DirEntry> action) {
        committed.store().scan(Family.DIR_INDEX, null, Keys.ofLongs(dir, 0), Keys.prefixEnd(dir), (key, value) -> {
            action.accept(DirIndexValue.decode(Keys.longAt(key, Long.BYTES), value));
            return true;
        });
    }

    // ------------------------------------------------------------------ other families

    Optional<byte[]> symlinkTarget(long inode) {
        return committed.symlinkTarget(inode);
    }

    void putSymlink(long inode, String target) {
        raw.add(RawMutation.put(Family.SYMLINKS, Keys.ofLong(inode), target.getBytes(StandardCharsets.UTF_8)));
    }

    Optional<byte[]> xattr(long inode, String name) {
        return committed.xattr(inode, name);
    }

    void putXattr(long inode, String name, byte[] value) {
        raw.add(RawMutation.put(Family.XATTRS, Keys.ofLongAndName(inode, name), value));
    }

    void deleteXattr(long inode, String name) {
        raw.add(RawMutation.delete(Family.XATTRS, Keys.ofLongAndName(inode, name)));
    }

    Optional<ChunkSlot> chunkSlot(long inode, long chunkIndex) {
        return committed.chunkSlot(inode, chunkIndex);
    }

    void putChunk(long inode, long chunkIndex, ChunkSlot slot) {
        raw.add(RawMutation.put(Family.FILE_CHUNKS, Keys.ofLongs(inode, chunkIndex), slot.encode()));
        raw.add(RawMutation.put(Family.CHUNK_OWNERS, Keys.ofLong(slot.chunkId()), Keys.ofLongs(inode, chunkIndex)));
    }

    void deleteChunk(long inode, long chunkIndex, long chunkId) {
        raw.add(RawMutation.delete(Family.FILE_CHUNKS, Keys.ofLongs(inode, chunkIndex)));
        raw.add(RawMutation.delete(Family.CHUNK_OWNERS, Keys.ofLong(chunkId)));
    }

    /** Deletes the chunks of {@code inode} at index >= {@code fromIndex}; reports each released chunk id. */
    void deleteChunksFrom(long inode, long fromIndex, LongConsumer released) {
        List<long[]> doomed = new ArrayList<>();
        committed.store().scan(Family.FILE_CHUNKS, null, Keys.ofLongs(inode, fromIndex), Keys.prefixEnd(inode),
                (key, value) -> {
                    doomed.add(new long[] {Keys.longAt(key, Long.BYTES), ChunkSlot.decode(value).chunkId()});
                    return true;
                });
        for (long[] chunk : doomed) {
            deleteChunk(inode, chunk[0], chunk[1]);
            released.accept(chunk[1]);
        }
        counters = counters.plusStats(0, 0, 0, -doomed.size(), 0);
    }

    /** Deletes every xattr of {@code inode}. */
    void deleteXattrs(long inode) {
        committed.store().scan(Family.XATTRS, null, Keys.ofLong(inode), Keys.prefixEnd(inode), (key, value) -> {
            raw.add(RawMutation.delete(Family.XATTRS, key));
            return true;
        });
    }

    void deleteSymlink(long inode) {
        raw.add(RawMutation.delete(Family.SYMLINKS, Keys.ofLong(inode)));
    }

    // ------------------------------------------------------------------ sessions and open files

    Optional<SessionInfo> session(long sessionId) {
        return committed.session(sessionId);
    }

    void putSession(SessionInfo session) {
        raw.add(RawMutation.put(Family.SESSIONS, Keys.ofLong(session.getSessionId()), session.toByteArray()));
    }

    void deleteSession(long sessionId) {
        raw.add(RawMutation.delete(Family.SESSIONS, Keys.ofLong(sessionId)));
    }

    long nextSessionId() {
        return committed.nextSessionId();
    }

    void setNextSessionId(long next) {
        raw.add(RawMutation.put(Family.COUNTERS, OpenCount.NEXT_SESSION_KEY, Keys.ofLong(next)));
    }

    OpenCount openCount(long sessionId, long inode) {
        return committed.openCount(sessionId, inode);
    }

    /** Stores the count; a count of zero removes the open from both indexes. */
    void putOpenCount(long sessionId, long inode, OpenCount count) {
        if (count.isOpen()) {
            raw.add(RawMutation.put(Family.OPEN_FILES, Keys.ofLongs(sessionId, inode), count.encode()));
            raw.add(RawMutation.put(Family.OPEN_INODES, Keys.ofLongs(inode, sessionId), new byte[0]));
        } else {
            raw.add(RawMutation.delete(Family.OPEN_FILES, Keys.ofLongs(sessionId, inode)));
            raw.add(RawMutation.delete(Family.OPEN_INODES, Keys.ofLongs(inode, sessionId)));
            purgeCandidatesChanged = true;
        }
    }

    /** Whether any committed session but {@code exceptSession} (0: none excepted) has the inode open. */
    boolean openElsewhere(long inode, long exceptSession) {
        return committed.openElsewhere(inode, exceptSession);
    }

    /** The committed opens of a session: inode and count, in inode order. */
    List<Map.Entry<Long, OpenCount>> opensOf(long sessionId) {
        List<Map.Entry<Long, OpenCount>> opens = new ArrayList<>();
        committed.store().scan(Family.OPEN_FILES, null, Keys.ofLong(sessionId), Keys.prefixEnd(sessionId),
                (key, value) -> {
                    opens.add(Map.entry(Keys.longAt(key, Long.BYTES), OpenCount.decode(value)));
                    return true;
                });
        return opens;
    }

    void putRetained(long inode) {
        raw.add(RawMutation.put(Family.RETAINED, Keys.ofLong(inode), new byte[0]));
        purgeCandidatesChanged = true;
    }

    /** Whether the committed state lists the inode as retained (nlink 0, kept for its opens or the purge). */
    boolean isRetained(long inode) {
        return committed.store().get(Family.RETAINED, Keys.ofLong(inode)) != null;
    }

    void deleteRetained(long inode) {
        raw.add(RawMutation.delete(Family.RETAINED, Keys.ofLong(inode)));
    }

    // ------------------------------------------------------------------ bookkeeping

    void putBookkeeping(Family family, byte[] key, byte[] value) {
        bookkeeping.add(RawMutation.put(family, key, value));
    }

    void deleteBookkeeping(Family family, byte[] key) {
        bookkeeping.add(RawMutation.delete(family, key));
    }

    // ------------------------------------------------------------------ commit

    /**
     * Writes the op (for a rejected op only the applied index and the bookkeeping) as one
     * batch, then, still under {@code writeLock}, updates the cache and publishes the counters,
     * so a reader never sees the cache and RocksDB disagree.
     */
    void commit(long index, boolean applyChanges, Lock writeLock, Consumer<Counters> publish) {
        RocksStore store = committed.store();
        Counters finalCounters = applyChanges ? counters.withAppliedIndex(index)
                : countersBefore.withAppliedIndex(index);
        try (WriteBatch batch = new WriteBatch()) {
            if (applyChanges) {
                for (Map.Entry<Long, Optional<InodeRecord>> e : inodes.entrySet()) {
                    byte[] key = Keys.ofLong(e.getKey());
                    if (e.getValue().isPresent()) {
                        store.put(batch, Family.INODES, key, InodeCodec.encode(e.getValue().get()));
                    } else {
                        store.delete(batch, Family.INODES, key);
                    }
                }
                for (Map.Entry<EntryKey, Optional<EntryRecord>> e : entries.entrySet()) {
                    byte[] key = Keys.ofLongAndName(e.getKey().parent(), e.getKey().name());
                    if (e.getValue().isPresent()) {
                        store.put(batch, Family.ENTRIES, key, e.getValue().get().encode());
                    } else {
                        store.delete(batch, Family.ENTRIES, key);
                    }
                }
                write(store, batch, raw);
            }
            write(store, batch, bookkeeping);
            finalCounters.writeChanges(store, batch, countersBefore);
            writeLock.lock();
            try {
                store.write(batch);
                if (applyChanges) {
                    StateCache cache = committed.cache();
                    inodes.forEach(cache::putInode);
                    entries.forEach(cache::putEntry);
                    updateListings(cache.listings());
                }
                counters = finalCounters;
                publish.accept(finalCounters);
            } finally {
                writeLock.unlock();
            }
        }
    }

    private void updateListings(ListingCache listings) {
        for (ListingChange change : listingChanges) {
            if (change.indexValue() != null) {
                listings.added(change.dir(), change.seq(), change.indexValue());
            } else {
                listings.removed(change.dir(), change.seq());
            }
        }
        for (Map.Entry<Long, Optional<InodeRecord>> e : inodes.entrySet()) {
            Optional<InodeRecord> inode = e.getValue();
            if (inode.isEmpty()) {
                listings.drop(e.getKey());
            } else if (inode.get().isDirectory() && inode.get().entryCount() == 0) {
                listings.empty(e.getKey()); // made now, or emptied: its whole listing is known
            }
        }
    }

    private static void write(RocksStore store, WriteBatch batch, List<RawMutation> mutations) {
        for (RawMutation m : mutations) {
            if (m.value() != null) {
                store.put(batch, m.family(), m.key(), m.value());
            } else {
                store.delete(batch, m.family(), m.key());
            }
        }
    }

    /** An entry added to (index value) or removed from (null) a directory's listing. */
    private record ListingChange(long dir, long seq, byte[] indexValue) {
    }

    private record RawMutation(Family family, byte[] key, byte[] value) {
        static RawMutation put(Family family, byte[] key, byte[] value) {
            return new RawMutation(family, key, value);
        }

        static RawMutation delete(Family family, byte[] key) {
            return new RawMutation(family, key, null);
        }
    }
}
