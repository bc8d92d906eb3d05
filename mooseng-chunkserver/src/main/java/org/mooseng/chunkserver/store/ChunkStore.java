package org.mooseng.chunkserver.store;

import com.sun.management.UnixOperatingSystemMXBean;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.mooseng.common.ChunkId;
import org.mooseng.common.ChunkVersion;
import org.mooseng.common.Layout;
import org.mooseng.common.Status;
import org.mooseng.common.StatusException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replicas kept on one disk: one file per chunk under {@code chunks/XX/} (XX = the last
 * two hex digits of the id), in the layout of {@link ChunkFileFormat}. Operations on one
 * chunk are serialised by that chunk's lock; different chunks proceed in parallel. Every
 * acknowledged write or truncate has been forced to disk; every read verifies the CRCs of
 * the blocks it touches, and a replica that fails verification is moved to {@code damaged/}
 * and reported as removed.
 *
 * <p>Recently used chunk files stay open, with their parsed headers (the block CRCs), up to
 * {@link #maxOpenFiles}: a read or write of a chunk in use costs no open, header read or close,
 * and a cold read of it one disk read instead of several. The header kept is the one the last
 * successful update forced to disk; after any failure the file is closed and its header read
 * again on next use.
 */
public final class ChunkStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkStore.class);
    /** Unforced bytes of one chunk past which the server forces it without waiting for a sync. */
    public static final long WRITEBACK_BYTES = 4L << 20;
    private static final Pattern FILE_NAME = Pattern.compile("[0-9A-F]{16}\\.chunk");

    private final Path chunksDir;
    private final Path damagedDir;
    private final ChannelOpener opener;
    private final ChunkStoreListener listener;
    private final ConcurrentHashMap<Long, Slot> slots = new ConcurrentHashMap<>();
    /** Slots whose file is open, least recently used first; guarded by itself. */
    private final LinkedHashMap<Long, Slot> openFiles = new LinkedHashMap<>(64, 0.75f, true);
    private final int maxOpenFiles;
    /** Whether a new chunk file's name needs its directory forced after the file; set by {@link #open}. */
    private NewEntryDurability newEntries = NewEntryDurability.FORCE_DIRECTORY;

    /** Lock and state of one chunk id; a slot of a removed chunk is retired and replaced on next use. */
    private static final class Slot {
        final long id;
        final ReentrantLock lock = new ReentrantLock();
        volatile StoredChunk chunk;
        boolean retired;
        /** The open chunk file and its header as on disk, or null; guarded by {@link #lock}. */
        FileChannel channel;
        ChunkHeader header;
        /**
         * Bytes written by {@link #writeDeferred} and not forced since (0: none; the file is
         * forced before it is closed); past {@link #WRITEBACK_BYTES} a writeback is due.
         */
        long unforcedBytes;
        /** A writeback was handed out by {@link #writebackDue} and has not run yet. */
        boolean writebackQueued;
        /** A force no writer asked for (closing the file, a writeback) failed: the next sync reports it. */
        StatusException lostWrites;
        /** The file opened again for {@link CachedReads} (-1: not yet); closed with {@link #channel}. */
        int cachedReadFd = -1;

        Slot(long id) {
            this.id = id;
        }
    }

    @FunctionalInterface
    private interface SlotOperation<T> {
        T apply(Slot slot) throws StatusException;
    }

    private ChunkStore(Path dataDir, ChannelOpener opener, ChunkStoreListener listener, int maxOpenFiles) {
        this.chunksDir = dataDir.resolve("chunks");
        this.damagedDir = dataDir.resolve("damaged");
        this.opener = opener;
        this.listener = listener;
        this.maxOpenFiles = maxOpenFiles;
    }

    /** Opens the store in {@code dataDir}, scanning the chunk files already there. */
    public static ChunkStore open(Path dataDir, ChunkStoreListener listener) throws IOException {
        return open(dataDir, ChannelOpener.DEFAULT, listener);
    }

    static ChunkStore open(Path dataDir, ChannelOpener opener, ChunkStoreListener listener) throws IOException {
        return open(dataDir, opener, listener, defaultMaxOpenFiles());
    }

    static ChunkStore open(Path dataDir, ChannelOpener opener, ChunkStoreListener listener, int maxOpenFiles)
            throws IOException {
        if (maxOpenFiles < 1) {
            throw new IllegalArgumentException("maxOpenFiles must be at least 1: " + maxOpenFiles);
        }
        ChunkStore store = new ChunkStore(dataDir, opener, listener, maxOpenFiles);
        Files.createDirectories(store.chunksDir);
        Files.createDirectories(store.damagedDir);
        String type = Files.getFileStore(store.chunksDir).type();
        store.newEntries = NewEntryDurability.of(type);
        LOG.info("chunk store {}: {} file system, new chunk files {}", store.chunksDir, type,
                store.newEntries == NewEntryDurability.WITH_FILE_SYNC ? "durable with their own fsync"
                        : "durable once their directory is forced too");
        store.scan();
        return store;
    }

    /** Every replica held, in no particular order. */
    public List<StoredChunk> chunks() {
        List<StoredChunk> out = new ArrayList<>();
        for (Slot slot : slots.values()) {
            StoredChunk chunk = slot.chunk;
            if (chunk != null) {
                out.add(chunk);
            }
        }
        return out;
    }

    public int chunkCount() {
        return chunks().size();
    }

    /** The replica of {@code id}, or null when none is held. */
    public StoredChunk get(ChunkId id) {
        Slot slot = slots.get(id.value());
        return slot == null ? null : slot.chunk;
    }

    public long totalBytes() throws IOException {
        return fileStore().getTotalSpace();
    }

    public long freeBytes() throws IOException {
        return fileStore().getUsableSpace();
    }

    private FileStore fileStore() throws IOException {
        return Files.getFileStore(chunksDir);
    }

    /**
     * Reads {@code length} bytes at {@code offset} of version {@code version}; bytes past the
     * stored length are zeros. ENOENT without a replica, ESTALE for another version,
     * CHECKSUM_MISMATCH (and the replica moved aside) when a touched block fails its CRC.
     */
    public byte[] read(ChunkId id, ChunkVersion version, long offset, int length) throws StatusException {
        return read(id, version, version, offset, length);
    }

    /**
     * Reads from a replica whose version is from {@code oldestVersion} to {@code version}: the
     * master names that range when copies that missed only the last raise of the version hold
     * its data. Otherwise as {@link #read(ChunkId, ChunkVersion, long, int)}.
     */
    public byte[] read(ChunkId id, ChunkVersion oldestVersion, ChunkVersion version, long offset, int length)
            throws StatusException {
        checkRange(id, version, offset, length);
        return withSlot(id, slot -> readLocked(id, slot, oldestVersion, version, offset, length));
    }

    /**
     * As {@link #read(ChunkId, ChunkVersion, ChunkVersion, long, int)}, or null at once when
     * another operation holds the chunk (a write, a force), no replica is known here, or its
     * file is not open with its header read (opening it may close another file, which may
     * force it): a network thread reads this way and leaves those cases to a disk thread.
     */
    public byte[] readIfFree(ChunkId id, ChunkVersion oldestVersion, ChunkVersion version, long offset, int length)
            throws StatusException {
        checkRange(id, version, offset, length);
        return tryWithSlot(id, slot -> slot.channel == null || slot.header == null ? null
                : readLocked(id, slot, oldestVersion, version, offset, length));
    }

    private byte[] readLocked(ChunkId id, Slot slot, ChunkVersion oldestVersion, ChunkVersion version, long offset,
                              int length) throws StatusException {
        StoredChunk chunk = requireVersion(id, slot, oldestVersion, version);
        if (offset >= chunk.lengthBytes()) {
            return new byte[length];
        }
        try {
            ChunkFile file = openFile(slot);
            ChunkHeader header = header(slot, file);
            return assemble(offset, length, chunk.lengthBytes(),
                    b -> ByteBuffer.wrap(file.readVerifiedBlock(header, b)));
        } catch (ChunkFile.BlockCorruptException e) {
            throw quarantine(slot, e.getMessage());
        } catch (IOException e) {
            closeFile(slot);
            throw ioFailure(chunk.id(), chunk.version(), "read", e);
        }
    }

    /**
     * As {@link #read(ChunkId, ChunkVersion, ChunkVersion, long, int)}, from the page cache
     * only, for a network thread: null when a byte would wait for the disk, when another
     * operation holds the chunk, when its file is not open with its header read, or when a
     * block fails its CRC (the disk thread's read then moves the replica aside). Never blocks
     * on the disk or on a lock.
     */
    public byte[] readCached(ChunkId id, ChunkVersion oldestVersion, ChunkVersion version, long offset, int length)
            throws StatusException {
        checkRange(id, version, offset, length);
        if (!CachedReads.available()) {
            return null;
        }
        return tryWithSlot(id, slot -> {
            ChunkHeader header = slot.header;
            if (slot.channel == null || header == null) {
                return null;
            }
            StoredChunk chunk = requireVersion(id, slot, oldestVersion, version);
            if (slot.cachedReadFd < 0) {
                slot.cachedReadFd = CachedReads.open(path(id));
                if (slot.cachedReadFd < 0) {
                    return null;
                }
            }
            CachedReads.Reader reader = CachedReads.reader();
            try {
                return assemble(offset, length, chunk.lengthBytes(), b -> cachedBlock(slot, header, reader, b));
            } catch (IOException | ChunkFile.BlockCorruptException e) {
                return null; // cachedBlock throws neither
            }
        });
    }

    /** Block {@code index} from the page cache, verified; null when it is not all there or fails its CRC. */
    private static ByteBuffer cachedBlock(Slot slot, ChunkHeader header, CachedReads.Reader reader, int index) {
        long start = ChunkFileFormat.HEADER_BYTES + (long) index * Layout.BLOCK_SIZE_BYTES;
        long n = reader.read(slot.cachedReadFd, start);
        if (n == CachedReads.NOT_CACHED) {
            return null;
        }
        MemorySegment block = reader.block();
        if (n < Layout.BLOCK_SIZE_BYTES) {
            if (start + n < fileSize(slot)) {
                return null; // a short read before the end of the file: part of it is not cached
            }
            block.asSlice(n).fill((byte) 0); // past the end of the file: zeros, as on disk
        }
        ByteBuffer bytes = block.asByteBuffer();
        return ChunkFileFormat.crc(bytes) == header.blockCrcs()[index] ? bytes : null;
    }

    /** One block of the data as it reads, verified; null when it cannot be had now. */
    @FunctionalInterface
    private interface BlockSource {
        ByteBuffer block(int index) throws IOException, ChunkFile.BlockCorruptException;
    }

    /**
     * Bytes {@code [offset, offset + length)} of the data, taken from its blocks: zeros past
     * {@code dataLength}; null when {@code blocks} has one of them not at hand.
     */
    private static byte[] assemble(long offset, int length, long dataLength, BlockSource blocks)
            throws IOException, ChunkFile.BlockCorruptException {
        byte[] out = new byte[length];
        long end = Math.min(offset + length, dataLength);
        for (long blockStart = offset - offset % Layout.BLOCK_SIZE_BYTES; blockStart < end;
             blockStart += Layout.BLOCK_SIZE_BYTES) {
            ByteBuffer block = blocks.block((int) (blockStart / Layout.BLOCK_SIZE_BYTES));
            if (block == null) {
                return null;
            }
            long from = Math.max(offset, blockStart);
            long to = Math.min(end, blockStart + Layout.BLOCK_SIZE_BYTES);
            block.get((int) (from - blockStart), out, (int) (from - offset), (int) (to - from));
        }
        return out;
    }

    /**
     * Stores {@code data} at {@code offset} as part of writing {@code version}. The base
     * version is the lowest version a member of the writer's chain may hold: a replica at any
     * version from baseVersion to version (unsigned) is accepted and raised to version; with
     * no replica here, baseVersion 0 creates one. Durable when this returns.
     *
     * @throws StatusException ESTALE when the replica is newer than {@code version} (the
     *     writer's lease is outdated), EIO when it is older than {@code baseVersion} (it missed
     *     a write: the writer leaves this server out), ENOENT without a replica and a base
     *     version other than 0
     */
    public void write(ChunkId id, ChunkVersion version, ChunkVersion baseVersion, long offset, ByteBuffer data)
            throws StatusException {
        write(id, version, baseVersion, offset, data, true);
    }

    /**
     * As {@link #write}, except that a write to an existing replica is not forced to disk:
     * it is durable once {@link #force} or {@link #sync} of the chunk returns. Writes of one
     * chunk thus share one fsync. A write that creates the replica is forced at once (with its
     * directory entry).
     *
     * @return whether the write is on disk already (it created the replica, or wrote no data)
     */
    public boolean writeDeferred(ChunkId id, ChunkVersion version, ChunkVersion baseVersion, long offset,
                                 ByteBuffer data) throws StatusException {
        return write(id, version, baseVersion, offset, data, false);
    }

    private boolean write(ChunkId id, ChunkVersion version, ChunkVersion baseVersion, long offset, ByteBuffer data,
                          boolean force) throws StatusException {
        checkRange(id, version, offset, data.remaining());
        return withSlot(id, slot -> {
            boolean create = slot.chunk == null;
            update(id, slot, version, baseVersion, "write", (file, header) ->
                    data.hasRemaining() ? file.write(header, version, offset, data, force || create)
                            : file.truncate(header, version, header.lengthBytes()));
            boolean deferred = !force && !create && data.hasRemaining();
            if (deferred) {
                slot.unforcedBytes += data.remaining();
            }
            return !deferred;
        });
    }

    /**
     * Forces what {@link #writeDeferred} left unforced in the chunk's file to disk; nothing to
     * do when it left nothing. A failure closes the file (its header is read again from disk)
     * and is reported like a failed write.
     */
    public void force(ChunkId id) throws StatusException {
        withSlot(id, slot -> {
            forceDirty(slot);
            return null;
        });
    }

    /**
     * A writer's sync of the chunk: takes the replica with the version rules of {@link #write}
     * (one between {@code baseVersion} and {@code version} is raised to {@code version}) and
     * forces every write applied to it to disk. Durable when this returns.
     *
     * @throws StatusException ENOENT without a replica; ESTALE and EIO as {@link #write}
     */
    public void sync(ChunkId id, ChunkVersion version, ChunkVersion baseVersion) throws StatusException {
        withSlot(id, slot -> {
            if (slot.chunk == null) {
                throw new StatusException(Status.ENOENT, id + " " + version + ": no replica to sync");
            }
            if (!slot.chunk.version().equals(version)) {
                // the lease was renewed since this replica's last write: raise it as an empty write would
                update(id, slot, version, baseVersion, "sync",
                        (file, header) -> file.truncate(header, version, header.lengthBytes()));
            }
            forceDirty(slot);
            return null;
        });
    }

    /**
     * Whether the chunk holds at least {@link #WRITEBACK_BYTES} of unforced writes and no
     * writeback is queued for it yet; true hands the caller the job of running
     * {@link #writeback} (once) soon. A stream of writes thus keeps the disk busy as it
     * goes, and the writer's sync finds little left to force.
     */
    public boolean writebackDue(ChunkId id) throws StatusException {
        return withSlot(id, slot -> {
            if (slot.unforcedBytes < WRITEBACK_BYTES || slot.writebackQueued) {
                return false;
            }
            slot.writebackQueued = true;
            return true;
        });
    }

    /**
     * Forces the chunk's unforced writes on the server's own account (see {@link #writebackDue}).
     * A failure is not thrown: the chunk's next {@link #sync} reports it to the writer.
     */
    public void writeback(ChunkId id) throws StatusException {
        withSlot(id, slot -> {
            slot.writebackQueued = false;
            try {
                forceDirty(slot);
            } catch (StatusException e) {
                slot.lostWrites = e;
            }
            return null;
        });
    }

    /** Forces the slot's unforced writes; the caller holds the slot's lock. */
    private void forceDirty(Slot slot) throws StatusException {
        StatusException lost = slot.lostWrites;
        if (lost != null) {
            slot.lostWrites = null;
            throw lost;
        }
        StoredChunk chunk = slot.chunk;
        boolean unforced = slot.unforcedBytes > 0;
        slot.unforcedBytes = 0; // forced below, or the failure is reported now
        if (!unforced || chunk == null) {
            return;
        }
        slot.writebackQueued = false; // this force covers whatever a queued writeback was for
        try {
            openFile(slot);
            slot.channel.force(true);
        } catch (IOException e) {
            closeFile(slot);
            throw ioFailure(chunk.id(), chunk.version(), "fsync", e);
        }
    }

    /** Sets the data length to {@code lengthBytes}, with the same version rules as {@link #write}. */
    public void truncate(ChunkId id, ChunkVersion version, ChunkVersion baseVersion, long lengthBytes)
            throws StatusException {
        checkRange(id, version, lengthBytes, 0);
        withSlot(id, slot -> {
            update(id, slot, version, baseVersion, "truncate",
                    (file, header) -> file.truncate(header, version, lengthBytes));
            return null;
        });
    }

    /**
     * Brings a replica that missed only the last raise of its chunk's version to that version in
     * place, on the master's order: only when it is at exactly {@code fromVersion} (any other
     * version means a frame or an earlier order got there first, and nothing is done). A raise
     * by truncation cuts the data to {@code truncateToBytes} first; -1 keeps the data as it is.
     * Durable when this returns.
     *
     * @return whether the replica was raised
     */
    public boolean raise(ChunkId id, ChunkVersion fromVersion, ChunkVersion version, long truncateToBytes)
            throws StatusException {
        checkRange(id, version, Math.max(truncateToBytes, 0), 0);
        if (fromVersion.compareTo(version) >= 0) {
            throw new StatusException(Status.EINVAL, id + " " + version + ": raise from " + fromVersion
                    + " is not below it");
        }
        return withSlot(id, slot -> {
            if (slot.chunk == null || !slot.chunk.version().equals(fromVersion)) {
                return false;
            }
            update(id, slot, version, fromVersion, "raise", (file, header) -> file.truncate(header, version,
                    truncateToBytes >= 0 ? truncateToBytes : header.lengthBytes()));
            return true;
        });
    }

    /**
     * Deletes the replica if it has {@code version} (any version when null). Returns whether
     * a replica was deleted.
     */
    public boolean delete(ChunkId id, ChunkVersion version) throws StatusException {
        return withSlot(id, slot -> {
            StoredChunk chunk = slot.chunk;
            if (chunk == null || (version != null && !chunk.version().equals(version))) {
                return false;
            }
            closeFile(slot);
            try {
                Files.deleteIfExists(path(id));
            } catch (IOException e) {
                throw ioFailure(id, chunk.version(), "delete", e);
            }
            slot.chunk = null;
            listener.removed(id, chunk.version(), false);
            return true;
        });
    }

    @FunctionalInterface
    private interface FileUpdate {
        ChunkHeader apply(ChunkFile file, ChunkHeader header) throws IOException, ChunkFile.BlockCorruptException;
    }

    private void update(ChunkId id, Slot slot, ChunkVersion version, ChunkVersion baseVersion, String what,
                        FileUpdate change) throws StatusException {
        StoredChunk before = slot.chunk;
        boolean create = before == null;
        if (create && baseVersion.value() != 0) {
            throw new StatusException(Status.ENOENT, id + " " + version + ": no replica of "
                    + baseVersion + " to " + what);
        }
        if (!create && before.version().compareTo(version) > 0) {
            throw new StatusException(Status.ESTALE, id + " " + version + ": replica is " + before.version()
                    + ", newer than the write's " + version + "; the writer's lease is outdated, ask the master again");
        }
        if (!create && before.version().compareTo(baseVersion) < 0) {
            throw new StatusException(Status.EIO, id + " " + version + ": replica is " + before.version()
                    + ", older than the write's base " + baseVersion);
        }
        Path file = path(id);
        try {
            ChunkFile chunkFile;
            ChunkHeader header;
            if (create) {
                if (!Files.isDirectory(file.getParent())) {
                    Files.createDirectories(file.getParent());
                    forceDirectory(chunksDir); // the new directory's own name
                }
                closeFile(slot);
                slot.channel = opener.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
                        StandardOpenOption.CREATE);
                keepOpen(slot);
                chunkFile = new ChunkFile(slot.channel);
                header = ChunkHeader.empty(id, baseVersion);
                chunkFile.create(header);
            } else {
                chunkFile = openFile(slot);
                header = header(slot, chunkFile);
            }
            ChunkHeader after = change.apply(chunkFile, header);
            slot.header = after;
            slot.chunk = new StoredChunk(id, after.version(), after.lengthBytes());
            if (create && newEntries == NewEntryDurability.FORCE_DIRECTORY) {
                // The file's data is forced, but its name lives in the directory: force that
                // too, or a crash could lose an acknowledged new chunk.
                forceDirectory(file.getParent());
            }
        } catch (ChunkFile.BlockCorruptException e) {
            throw quarantine(slot, e.getMessage());
        } catch (IOException e) {
            closeFile(slot);
            if (create) {
                slot.chunk = null;
                deleteQuietly(file);
            }
            throw ioFailure(id, version, what, e);
        }
        if (create || !before.version().equals(version)) {
            listener.changed(slot.chunk);
        }
    }

    /** The slot's header: the one kept, else read from its file and checked against the slot. */
    private ChunkHeader header(Slot slot, ChunkFile file) throws IOException, StatusException {
        if (slot.header != null) {
            return slot.header;
        }
        try {
            ChunkHeader header = file.header();
            StoredChunk chunk = slot.chunk;
            if (!header.id().equals(chunk.id()) || !header.version().equals(chunk.version())) {
                throw quarantine(slot, "header names " + header);
            }
            slot.header = header;
            return header;
        } catch (ChunkFileFormat.DamagedHeaderException e) {
            throw quarantine(slot, "damaged header: " + e.getMessage());
        }
    }

    /** The size of the slot's open file; Long.MAX_VALUE when it cannot be had (no read is then cut by the end). */
    private static long fileSize(Slot slot) {
        try {
            return slot.channel.size();
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * As {@link #withSlot}, for a thread that must not wait: null without running the
     * operation when no replica of the chunk is known here or another operation holds it.
     */
    private <T> T tryWithSlot(ChunkId id, SlotOperation<T> operation) throws StatusException {
        Slot slot = slots.get(id.value());
        if (slot == null || !slot.lock.tryLock()) {
            return null;
        }
        try {
            return slot.retired || slot.chunk == null ? null : applyHeld(id, slot, operation);
        } finally {
            slot.lock.unlock();
        }
    }

    private <T> T withSlot(ChunkId id, SlotOperation<T> operation) throws StatusException {
        while (true) {
            Slot slot = slots.computeIfAbsent(id.value(), Slot::new);
            slot.lock.lock();
            try {
                if (slot.retired) {
                    continue;
                }
                return applyHeld(id, slot, operation);
            } finally {
                slot.lock.unlock();
            }
        }
    }

    /**
     * Runs {@code operation} on a slot whose lock the caller holds; a slot left without a
     * replica (deleted, moved aside, never created) is retired, so the next use makes a new one.
     */
    private <T> T applyHeld(ChunkId id, Slot slot, SlotOperation<T> operation) throws StatusException {
        try {
            return operation.apply(slot);
        } finally {
            if (slot.chunk == null) {
                slot.retired = true;
                slots.remove(id.value(), slot);
            }
        }
    }

    /** The slot's chunk file, opened (and kept open) if it is not; the caller holds the slot's lock. */
    private ChunkFile openFile(Slot slot) throws IOException {
        if (slot.channel == null) {
            slot.channel = opener.open(path(slot.chunk.id()), StandardOpenOption.READ, StandardOpenOption.WRITE);
            slot.header = null;
            keepOpen(slot);
        } else {
            synchronized (openFiles) {
                openFiles.get(slot.id); // most recently used now
            }
        }
        return new ChunkFile(slot.channel);
    }

    /**
     * Counts the slot's file among the open ones and closes the least recently used beyond
     * {@link #maxOpenFiles}; one in use by another operation (its lock held) stays open until
     * a later pass. The caller holds the slot's lock.
     */
    private void keepOpen(Slot slot) {
        List<Slot> excess = new ArrayList<>();
        synchronized (openFiles) {
            openFiles.put(slot.id, slot);
            Iterator<Slot> eldest = openFiles.values().iterator();
            while (openFiles.size() - excess.size() > maxOpenFiles && eldest.hasNext()) {
                Slot candidate = eldest.next();
                if (candidate != slot) {
                    excess.add(candidate);
                }
            }
        }
        for (Slot candidate : excess) {
            if (candidate.lock.tryLock()) {
                try {
                    if (candidate.unforcedBytes > 0) {
                        try {
                            forceDirty(candidate);
                        } catch (StatusException e) {
                            // logged by forceDirty; the chunk's next sync must fail as this did
                            candidate.lostWrites = e;
                        }
                    }
                    closeFile(candidate);
                } finally {
                    candidate.lock.unlock();
                }
            }
        }
    }

    /** Closes the slot's file, if open, and forgets its header; the caller holds the slot's lock. */
    private void closeFile(Slot slot) {
        FileChannel channel = slot.channel;
        slot.channel = null;
        slot.header = null;
        CachedReads.close(slot.cachedReadFd);
        slot.cachedReadFd = -1;
        synchronized (openFiles) {
            openFiles.remove(slot.id, slot);
        }
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debug("chunk {}: closing its file failed: {}", Long.toHexString(slot.id), e.getMessage());
            }
        }
    }

    /** Files open now. */
    int openFileCount() {
        synchronized (openFiles) {
            return openFiles.size();
        }
    }

    /** Closes every chunk file kept open; operations after this open them again. */
    @Override
    public void close() {
        List<Slot> open;
        synchronized (openFiles) {
            open = List.copyOf(openFiles.values());
        }
        for (Slot slot : open) {
            slot.lock.lock();
            try {
                closeFile(slot);
            } finally {
                slot.lock.unlock();
            }
        }
    }

    /**
     * A quarter of the file descriptors this process may open, at most 4,096: enough to keep
     * the chunks of a working set open, with the rest left for connections.
     */
    private static int defaultMaxOpenFiles() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix) {
            return (int) Math.clamp(unix.getMaxFileDescriptorCount() / 4, 16, 4096);
        }
        return 1024;
    }

    /** Moves a replica that failed verification to damaged/ and reports it; returns the error for the caller. */
    private StatusException quarantine(Slot slot, String problem) {
        StoredChunk chunk = slot.chunk;
        String message = chunk.id().hex() + " " + chunk.version() + ": " + problem;
        LOG.warn("chunk {}: moved to {}", message, damagedDir);
        closeFile(slot);
        try {
            moveToDamaged(path(chunk.id()));
        } catch (IOException e) {
            LOG.error("chunk {}: cannot move the damaged replica aside", chunk.id().hex(), e);
        }
        slot.chunk = null;
        listener.removed(chunk.id(), chunk.version(), true);
        return new StatusException(Status.CHECKSUM_MISMATCH, "chunk " + message);
    }

    private void moveToDamaged(Path file) throws IOException {
        Path target = damagedDir.resolve(file.getFileName());
        for (int i = 1; Files.exists(target); i++) {
            target = damagedDir.resolve(file.getFileName() + "." + i);
        }
        Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
    }

    private void scan() throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(chunksDir, 2)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        int damaged = 0;
        for (Path file : files) {
            String name = file.getFileName().toString();
            if (!FILE_NAME.matcher(name).matches()) {
                LOG.warn("{}: not a chunk file, ignored", file);
                continue;
            }
            try (FileChannel channel = opener.open(file, StandardOpenOption.READ)) {
                ChunkHeader header = ChunkFileFormat.read(channel);
                if (!fileName(header.id()).equals(name)) {
                    throw new ChunkFileFormat.DamagedHeaderException("header names " + header.id());
                }
                Slot slot = new Slot(header.id().value());
                slot.chunk = new StoredChunk(header.id(), header.version(), header.lengthBytes());
                slots.put(header.id().value(), slot);
            } catch (ChunkFileFormat.DamagedHeaderException e) {
                LOG.warn("{}: {}; moved to {}", file, e.getMessage(), damagedDir);
                moveToDamaged(file);
                damaged++;
            }
        }
        LOG.info("chunk store {}: {} chunks, {} damaged files moved aside", chunksDir, slots.size(), damaged);
    }

    Path path(ChunkId id) {
        String hex = id.hex();
        return chunksDir.resolve(hex.substring(14)).resolve(fileName(id));
    }

    private static String fileName(ChunkId id) {
        return id.hex() + ".chunk";
    }

    private static void checkRange(ChunkId id, ChunkVersion version, long offset, long length)
            throws StatusException {
        if (offset < 0 || length < 0 || offset + length > Layout.CHUNK_SIZE_BYTES) {
            throw new StatusException(Status.EINVAL, id + " " + version + ": range " + offset + "+" + length
                    + " outside the chunk");
        }
    }

    private static StoredChunk requireVersion(ChunkId id, Slot slot, ChunkVersion oldestVersion, ChunkVersion version)
            throws StatusException {
        StoredChunk chunk = slot.chunk;
        if (chunk == null) {
            throw new StatusException(Status.ENOENT, id + " " + version + ": no replica here");
        }
        if (chunk.version().compareTo(oldestVersion) < 0 || chunk.version().compareTo(version) > 0) {
            throw new StatusException(Status.ESTALE, id + " " + version + ": replica is " + chunk.version()
                    + (oldestVersion.equals(version) ? "" : ", not from " + oldestVersion));
        }
        return chunk;
    }

    /** The one place where an I/O failure of the store becomes a Status. */
    private static StatusException ioFailure(ChunkId id, ChunkVersion version, String what, IOException e) {
        String detail = String.valueOf(e.getMessage());
        Status status = detail.contains("No space left") ? Status.ENOSPC : Status.EIO;
        LOG.warn("{} {}: {} failed: {}", id, version, what, detail);
        return new StatusException(status, id + " " + version + ": " + what + " failed: " + detail, e);
    }

    private static void forceDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("{}: cannot remove after a failed create: {}", file, e.getMessage());
        }
    }
}
