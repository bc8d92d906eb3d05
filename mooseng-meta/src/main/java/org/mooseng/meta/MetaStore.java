package org.mooseng.meta;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.mooseng.common.Status;
import org.mooseng.common.StatusException;
import org.mooseng.proto.AttrReply;
import org.mooseng.proto.ChunkRef;
import org.mooseng.proto.Credentials;
import org.mooseng.proto.GetXattrReply;
import org.mooseng.proto.ListXattrReply;
import org.mooseng.proto.MetaOp;
import org.mooseng.proto.MetaResult;
import org.mooseng.proto.ReadDirReply;
import org.mooseng.proto.ReadLinkReply;
import org.mooseng.proto.SessionInfo;
import org.mooseng.proto.StatusReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The namespace of a master: a deterministic state machine over RocksDB, with a bounded
 * Caffeine cache of hot inodes and directory entries in front.
 *
 * <p>Key layout (all ids big-endian 8 bytes, names UTF-8, one column family each):
 * <pre>
 * default      "applied_index" -> u64     "next_inode" -> u64     "next_chunk" -> u64
 *              "cluster_id" -> UTF-8      "stats" -> inodes, files, directories, chunks, total bytes (5 x u64)
 * inodes       inode -> InodeCodec v1 record (type, mode, uid, gid, size, nlink, a/m/ctime as
 *              s64 seconds + u32 nanos, rdev, goal, directories also: parent, next entry seq, entry count)
 * entries      parent + name -> inode, type, seq           (lookup)
 * dir_index    parent + seq -> inode, type, name            (readdir; seq is the cookie)
 * symlinks     inode -> target
 * xattrs       inode + name -> value
 * file_chunks  inode + chunk index -> chunk id, version
 * chunk_owners chunk id -> inode + chunk index
 * sessions     session id -> SessionInfo (protobuf)           "next_session" in default -> u64
 * open_files   session + inode -> readers u32, writers u32
 * open_inodes  inode + session -> empty                       (is the inode open anywhere)
 * retained     inode -> empty                                 (nlink 0, kept while open)
 * requests     request id -> format, op number, MetaResult    (retried ops answered once; see AppliedRequests)
 * request_expiry  time of op.now + request id -> empty        (oldest first, for the bounded sweep)
 * </pre>
 * Every op is one WriteBatch that also carries the applied index (and its entry in the table
 * of applied requests, if it has a request id), so the store is always a consistent prefix of
 * the Raft log. Reads take a read lock; the commit of a batch and the cache update take the
 * write lock, so a reader sees an op entirely or not at all.
 */
public final class MetaStore implements MetadataStateMachine, NamespaceReader, SessionReader {
    private static final Logger LOG = LoggerFactory.getLogger(MetaStore.class);

    private final Path dir;
    private final long cacheEntries;
    /** Serialises apply with checkpoint, restore and close. */
    private final ReentrantLock applyLock = new ReentrantLock();
    private final ReentrantReadWriteLock stateLock = new ReentrantReadWriteLock();
    private volatile CommittedView view;
    private volatile Counters counters;
    /** See {@link #purgeGeneration}. */
    private final AtomicLong purgeGeneration = new AtomicLong();
    /** Changes with {@link #view}; used under {@link #applyLock}. */
    private AppliedRequests requests;
    private volatile boolean closed;

    private MetaStore(Path dir, long cacheEntries, CommittedView view) {
        this.dir = dir;
        this.cacheEntries = cacheEntries;
        this.view = view;
        this.requests = new AppliedRequests(view);
        this.counters = Counters.load(view.store());
    }

    /** Opens (creating if needed) the store in {@code dir}, caching at most {@code cacheEntries} records. */
    public static MetaStore open(Path dir, long cacheEntries) throws IOException {
        if (cacheEntries < 0) {
            throw new IllegalArgumentException("cache entries must not be negative: " + cacheEntries);
        }
        Files.createDirectories(dir);
        MetaStore store = new MetaStore(dir, cacheEntries, new CommittedView(RocksStore.open(dir),
                new StateCache(cacheEntries)));
        LOG.info("metadata store {} opened at applied index {}", dir, store.counters.appliedIndex());
        return store;
    }

    // ------------------------------------------------------------------ state machine

    @Override
    public MetaResult apply(long index, MetaOp op) {
        applyLock.lock();
        try {
            requireOpen();
            Counters before = counters;
            if (index <= before.appliedIndex()) {
                return MetaResult.newBuilder().setStatus(0).setMessage("index " + index + " already applied").build();
            }
            ApplyBatch tx = new ApplyBatch(view, before);
            MetaResult result;
            boolean accepted = false;
            try {
                Optional<MetaResult> earlier = requests.earlier(op);
                if (earlier.isPresent()) {
                    // A retry of an op applied before: its first result, and no second effect.
                    result = earlier.get();
                } else {
                    try {
                        result = OpDispatcher.dispatch(tx, op).setStatus(0).build();
                        accepted = true;
                    } catch (StatusException e) {
                        result = Results.failed(e);
                    }
                    if (!op.getRequestId().isEmpty()) {
                        requests.record(tx, op, result);
                    }
                }
            } catch (StatusException e) {
                result = Results.failed(e); // an unusable request id
            }
            requests.sweep(tx, op.getNow());
            tx.commit(index, accepted, stateLock.writeLock(), committed -> counters = committed);
            if (accepted && tx.purgeCandidatesChanged()) {
                purgeGeneration.incrementAndGet();
            }
            return result;
        } finally {
            applyLock.unlock();
        }
    }

    @Override
    public long lastAppliedIndex() {
        return counters.appliedIndex();
    }

    @Override
    public void checkpoint(Path target) throws IOException {
        applyLock.lock();
        try {
            requireOpen();
            view.store().checkpoint(target);
            LOG.info("metadata checkpoint {} written at applied index {}", target, counters.appliedIndex());
        } finally {
            applyLock.unlock();
        }
    }

    @Override
    public void restore(Path checkpoint) throws IOException {
        if (!Files.isDirectory(checkpoint)) {
            throw new IOException("metadata checkpoint " + checkpoint + " is not a directory");
        }
        applyLock.lock();
        stateLock.writeLock().lock();
        try {
            requireOpen();
            view.store().close();
            view.cache().clear();
            StoreFiles.deleteContents(dir);
            StoreFiles.copyContents(checkpoint, dir);
            view = new CommittedView(RocksStore.open(dir), new StateCache(cacheEntries));
            requests = new AppliedRequests(view);
            counters = Counters.load(view.store());
            LOG.info("metadata store {} restored from {} at applied index {}", dir, checkpoint,
                    counters.appliedIndex());
        } catch (IOException | RuntimeException e) {
            closed = true;
            throw e;
        } finally {
            stateLock.writeLock().unlock();
            applyLock.unlock();
        }
    }

    @Override
    public void close() {
        applyLock.lock();
        stateLock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            view.store().close();
            view.cache().clear();
            LOG.info("metadata store {} closed at applied index {}", dir, counters.appliedIndex());
        } finally {
            stateLock.writeLock().unlock();
            applyLock.unlock();
        }
    }

    // ------------------------------------------------------------------ reads

    @Override
    public AttrReply lookup(Credentials cred, long parent, String name) {
        return read(() -> NamespaceQueries.lookup(view, cred, parent, name),
                e -> AttrReply.newBuilder().setStatus(e.status().code()).setMessage(e.detail()).build());
    }

    @Override
    public AttrReply getAttr(long inode) {
        return read(() -> NamespaceQueries.getAttr(view, inode),
                e -> AttrReply.newBuilder().setStatus(e.status().code()).setMessage(e.detail()).build());
    }

    @Override
    public AttrReply openableAttr(Credentials cred, long inode, int openFlags) {
        return read(() -> NamespaceQueries.openableAttr(view, cred, inode, openFlags),
                e -> AttrReply.newBuilder().setStatus(e.status().code()).setMessage(e.detail()).build());
    }

    @Override
    public StatusReply access(Credentials cred, long inode, int mask) {
        return read(() -> NamespaceQueries.access(view, cred, inode, mask),
                e -> StatusReply.newBuilder().setStatus(e.status().code()).setMessage(e.detail()).build());
    }

    @Override
    public ReadDirReply readDir(Credentials cred, long inode, long cookie, int maxEntries) {
        return read(() -> NamespaceQueries.readDir(view, cred, inode, cookie, maxEntries),
                e -> ReadDirReply.newBuilder().setStatus(e.status().code()).setMessage(e.detail()).build());
    }

    @Override
    public ReadDirReply readDirPacked(Credentials cred, long inode, long cookie, int maxEntries) {
        return read(() -> NamespaceQueries.readDirPacked(view, cred, inode, cookie, maxEntries),
                e -> ReadDirReply.newBuilder().setStatus(e.status().code()).setMessage(e.detail()).build());
    }

    @Override
    public ReadLinkReply readLink(long inode) {
        return read(() -> NamespaceQueries.readLink(view, inode),
                e -> ReadLinkReply.newBuilder().setStatus(e.status().code()).setMessage(e.detail()).build());
    }

    @Override
    public GetXattrReply getXattr(Credentials cred, long inode, String name) {
        return read(() -> NamespaceQueries.getXattr(view, cred, inode, name),
                e -> GetXattrReply.newBuilder().setStatus(e.status().code()).setMessage(e.detail()).build());
    }

    @Override
    public ListXattrReply listXattr(Credentials cred, long inode) {
        return read(() -> NamespaceQueries.listXattr(view, inode),
                e -> ListXattrReply.newBuilder().setStatus(e.status().code()).setMessage(e.detail()).build());
    }

    @Override
    public Optional<ChunkRef> chunkAt(long inode, long chunkIndex) {
        return readUnchecked(() -> view.chunkSlot(inode, chunkIndex).map(slot -> slot.toRef(chunkIndex, 0)));
    }

    @Override
    public List<ChunkRef> chunksOf(long inode) {
        return readUnchecked(() -> NamespaceQueries.chunksOf(view, inode));
    }

    /**
     * Visits every chunk from one RocksDB snapshot, in pages: the read lock is held only while a
     * page is collected and {@code action} runs without it, so a long walk never stalls apply.
     */
    @Override
    public void forEachChunk(Consumer<ChunkRecord> action) {
        ChunkWalk walk = readUnchecked(() -> new ChunkWalk(view));
        try {
            List<ChunkRecord> page = new ArrayList<>();
            while (true) {
                page.clear();
                boolean more = readUnchecked(() -> walk.nextPage(view, page));
                page.forEach(action);
                if (!more) {
                    return;
                }
            }
        } finally {
            readUnchecked(() -> {
                walk.release(view);
                return null;
            });
        }
    }

    /**
     * Two point reads (owner, then the owner's slot for the version) and the owning inode
     * through the cache for the goal. Chunk records themselves are not cached: every write
     * session bumps a version, so they would churn the cache of inodes and entries.
     */
    @Override
    public Optional<ChunkRecord> chunk(long chunkId) {
        return readUnchecked(() -> NamespaceQueries.chunk(view, chunkId));
    }

    @Override
    public boolean chunkExists(long chunkId) {
        return readUnchecked(() -> view.store().get(Family.CHUNK_OWNERS, Keys.ofLong(chunkId)) != null);
    }

    @Override
    public long nextChunkId() {
        return counters.nextChunk();
    }

    @Override
    public NamespaceStats stats() {
        Counters c = counters;
        return new NamespaceStats(c.inodes(), c.files(), c.directories(), c.chunks(), c.totalFileBytes());
    }

    @Override
    public Optional<String> clusterId() {
        String id = counters.clusterId();
        return id.isEmpty() ? Optional.empty() : Optional.of(id);
    }

    // ------------------------------------------------------------------ sessions

    @Override
    public List<SessionInfo> sessions() {
        return readUnchecked(() -> {
            List<SessionInfo> sessions = new ArrayList<>();
            view.store().scan(Family.SESSIONS, null, Keys.ofLong(0), Keys.ofLong(Long.MAX_VALUE), (key, value) -> {
                sessions.add(withOpenCount(OpenCount.parseSession(value)));
                return true;
            });
            return sessions;
        });
    }

    @Override
    public Optional<SessionInfo> session(long sessionId) {
        return readUnchecked(() -> view.session(sessionId));
    }

    @Override
    public int openFlags(long sessionId, long inode) {
        return readUnchecked(() -> view.openCount(sessionId, inode).flags());
    }

    @Override
    public boolean isOpen(long inode) {
        return readUnchecked(() -> view.openElsewhere(inode, 0));
    }

    @Override
    public long purgeGeneration() {
        return purgeGeneration.get();
    }

    @Override
    public List<Long> retainedInodes() {
        return readUnchecked(() -> {
            List<Long> inodes = new ArrayList<>();
            view.store().scan(Family.RETAINED, null, Keys.ofLong(0), Keys.ofLong(Long.MAX_VALUE), (key, value) -> {
                inodes.add(Keys.longAt(key, 0));
                return true;
            });
            return inodes;
        });
    }

    /** Called under the read lock. */
    private SessionInfo withOpenCount(SessionInfo session) {
        long id = session.getSessionId();
        int[] count = {0};
        view.store().scan(Family.OPEN_FILES, null, Keys.ofLong(id), Keys.prefixEnd(id), (key, value) -> {
            count[0]++;
            return true;
        });
        return session.toBuilder().setOpenFiles(count[0]).build();
    }

    /** Entries in the table of applied requests (tests and diagnostics: walks the table). */
    long appliedRequests() {
        applyLock.lock();
        try {
            requireOpen();
            return requests.size();
        } finally {
            applyLock.unlock();
        }
    }

    /** Entries currently held by the in-heap cache (for metrics and tests of its bound). */
    public long cachedEntries() {
        return readUnchecked(() -> view.cache().size());
    }

    private <T> T read(StatusQuery<T> query, Function<StatusException, T> onFailure) {
        stateLock.readLock().lock();
        try {
            requireOpen();
            return query.run();
        } catch (StatusException e) {
            return onFailure.apply(e);
        } finally {
            stateLock.readLock().unlock();
        }
    }

    private <T> T readUnchecked(Supplier<T> query) {
        stateLock.readLock().lock();
        try {
            requireOpen();
            return query.get();
        } finally {
            stateLock.readLock().unlock();
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("metadata store " + dir + " is closed");
        }
    }

    @FunctionalInterface
    private interface StatusQuery<T> {
        T run() throws StatusException;
    }

    static StatusException notFound(long inode) {
        return new StatusException(Status.ENOENT, "inode " + inode + " does not exist");
    }
}
