package org.mooseng.master.raft;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import com.alipay.sofa.jraft.JRaftServiceFactory;
import com.alipay.sofa.jraft.conf.Configuration;
import com.alipay.sofa.jraft.conf.ConfigurationEntry;
import com.alipay.sofa.jraft.conf.ConfigurationManager;
import com.alipay.sofa.jraft.core.DefaultJRaftServiceFactory;
import com.alipay.sofa.jraft.entity.EnumOutter.EntryType;
import com.alipay.sofa.jraft.entity.LogEntry;
import com.alipay.sofa.jraft.entity.LogId;
import com.alipay.sofa.jraft.entity.codec.LogEntryDecoder;
import com.alipay.sofa.jraft.entity.codec.LogEntryEncoder;
import com.alipay.sofa.jraft.option.LogStorageOptions;
import com.alipay.sofa.jraft.option.RaftOptions;
import com.alipay.sofa.jraft.storage.LogStorage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A master's Raft log in segment files written in place: each segment is zero-filled and
 * synced before it takes its first entry, so an append is one positional write and one
 * {@code fdatasync} that changes neither the file's size nor its blocks, and the file system
 * has no metadata to commit with it (on this kind of disk 70 µs where an appending write
 * with its size change costs 100 µs, which is what the RocksDB log's write-ahead file paid).
 *
 * <p>Files in the directory: {@code first-index} (the first index kept, with its CRC32C,
 * replaced by rename) and {@code <first index, 20 digits>.segment}. A record is a 32-byte
 * header (payload length, CRC32C of everything after the CRC, index, term, entry type, zero)
 * and the entry as jraft's codec encodes it; the entries of a segment are consecutive from
 * the index in its name. A segment is synced before the next one takes an entry, so only the
 * last can end in a torn write: opening stops there and zeroes the rest of it. A bad record
 * anywhere else, or segments that do not follow each other, is corruption: opening fails
 * rather than serve a log with a hole.
 *
 * <p>Truncating the suffix deletes whole segments from the last one back first, then zeroes
 * the cut segment's tail and syncs it, so a crash in between leaves the log as it was, never
 * with entries past the cut that could be read as following it. Entries before the first
 * index are kept until their whole segment lies before it.
 */
final class SegmentLogStorage implements LogStorage {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentLogStorage.class);
    static final int HEADER_BYTES = 32;
    static final long DEFAULT_SEGMENT_BYTES = 16L << 20;
    private static final String SUFFIX = ".segment";
    private static final String SPARE = "spare.tmp";
    private static final String LARGE = "large.tmp";
    private static final String FIRST_INDEX = "first-index";
    private static final int ZERO_CHUNK = 1 << 20;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** One segment file: its entries' offsets and terms, in index order from {@link #first}. */
    private static final class Segment {
        final long first;
        final Path path;
        final FileChannel channel;
        final long capacity;
        int[] offsets = new int[256];
        long[] terms = new long[256];
        int count;
        long end;

        Segment(long first, Path path, FileChannel channel, long capacity) {
            this.first = first;
            this.path = path;
            this.channel = channel;
            this.capacity = capacity;
        }

        long last() {
            return first + count - 1;
        }

        void add(int offset, long term) {
            if (count == offsets.length) {
                offsets = Arrays.copyOf(offsets, count * 2);
                terms = Arrays.copyOf(terms, count * 2);
            }
            offsets[count] = offset;
            terms[count] = term;
            count++;
        }
    }

    private final Path dir;
    private final long segmentBytes;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final TreeMap<Long, Segment> segments = new TreeMap<>();
    private final ExecutorService preparer = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("raft-log-preallocate").factory());
    private CompletableFuture<Path> spare;
    private LogEntryEncoder encoder;
    private LogEntryDecoder decoder;
    private long firstIndex = 1;

    SegmentLogStorage(Path dir) {
        this(dir, DEFAULT_SEGMENT_BYTES);
    }

    SegmentLogStorage(Path dir, long segmentBytes) {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
    }

    /** jraft's services with this log storage (the snapshot and meta storages stay jraft's). */
    static JRaftServiceFactory serviceFactory() {
        return new DefaultJRaftServiceFactory() {
            @Override
            public LogStorage createLogStorage(String uri, RaftOptions raftOptions) {
                return new SegmentLogStorage(Path.of(uri));
            }
        };
    }

    @Override
    public boolean init(LogStorageOptions opts) {
        encoder = opts.getLogEntryCodecFactory().encoder();
        decoder = opts.getLogEntryCodecFactory().decoder();
        lock.writeLock().lock();
        try {
            Files.createDirectories(dir);
            for (String leftover : List.of(SPARE, LARGE, FIRST_INDEX + ".tmp")) {
                Files.deleteIfExists(dir.resolve(leftover));
            }
            firstIndex = readFirstIndex();
            List<LogEntry> configurations = open();
            for (LogEntry entry : configurations) {
                if (entry.getId().getIndex() >= firstIndex) {
                    opts.getConfigurationManager().add(configurationOf(entry));
                }
            }
            prepareSpare();
            LOG.info("raft log {}: entries {} to {} in {} segments", dir, firstIndex, lastIndexLocked(),
                    segments.size());
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.error("raft log {}: cannot open: {}", dir, e.toString(), e);
            closeSegments();
            return false;
        } finally {
            lock.writeLock().unlock();
        }
    }

    private static ConfigurationEntry configurationOf(LogEntry entry) {
        ConfigurationEntry conf = new ConfigurationEntry();
        conf.setId(new LogId(entry.getId().getIndex(), entry.getId().getTerm()));
        conf.setConf(new Configuration(entry.getPeers(), entry.getLearners()));
        if (entry.getOldPeers() != null) {
            conf.setOldConf(new Configuration(entry.getOldPeers(), entry.getOldLearners()));
        }
        return conf;
    }

    /** Reads every segment, stops at a torn tail of the last one; returns the configuration entries. */
    private List<LogEntry> open() throws IOException {
        List<Path> files;
        try (Stream<Path> listing = Files.list(dir)) {
            files = listing.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).sorted().toList();
        }
        List<LogEntry> configurations = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            Path path = files.get(i);
            String name = path.getFileName().toString();
            long first = Long.parseLong(name.substring(0, name.length() - SUFFIX.length()));
            FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            Segment segment = new Segment(first, path, channel, channel.size());
            boolean last = i == files.size() - 1;
            scan(segment, last, configurations);
            Map.Entry<Long, Segment> previous = segments.lastEntry();
            if (previous != null && segment.count > 0 && previous.getValue().last() + 1 != first) {
                throw new IOException("segment " + name + " does not follow " + previous.getValue().path.getFileName()
                        + " (last index " + previous.getValue().last() + ")");
            }
            if (segment.count == 0 && last) {
                // Made for an append that never reached it.
                channel.close();
                Files.delete(path);
                continue;
            }
            segments.put(first, segment);
        }
        // Segments wholly before the first index kept are left from a prefix truncation.
        while (!segments.isEmpty() && segments.firstEntry().getValue().last() < firstIndex) {
            delete(segments.pollFirstEntry().getValue());
        }
        return configurations;
    }

    private void scan(Segment segment, boolean last, List<LogEntry> configurations) throws IOException {
        long size = segment.capacity;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment file = size == 0 ? MemorySegment.NULL
                    : segment.channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            long pos = 0;
            CRC32C crc = new CRC32C();
            while (pos + HEADER_BYTES <= size) {
                int length = file.get(INT, pos);
                int storedCrc = file.get(INT, pos + 4);
                long index = file.get(LONG, pos + 8);
                if (length == 0 && storedCrc == 0 && index == 0) {
                    break; // the zeroes after the last record
                }
                long expected = segment.first + segment.count;
                boolean fits = length > 0 && pos + HEADER_BYTES + length <= size;
                if (fits) {
                    crc.reset();
                    crc.update(file.asSlice(pos + 8, HEADER_BYTES - 8 + length).asByteBuffer());
                }
                if (!fits || (int) crc.getValue() != storedCrc || index != expected) {
                    if (!last) {
                        throw new IOException("segment " + segment.path.getFileName() + ": bad record at byte " + pos
                                + " (index " + expected + ") before the last segment");
                    }
                    LOG.warn("raft log {}: torn record at byte {} of {} (index {}): the log ends before it",
                            dir, pos, segment.path.getFileName(), expected);
                    zero(segment.channel, pos, size);
                    segment.channel.force(false);
                    break;
                }
                long term = file.get(LONG, pos + 16);
                int type = file.get(INT, pos + 24);
                if (type == EntryType.ENTRY_TYPE_CONFIGURATION_VALUE) {
                    byte[] payload = file.asSlice(pos + HEADER_BYTES, length).toArray(ValueLayout.JAVA_BYTE);
                    LogEntry entry = decoder.decode(payload);
                    if (entry == null) {
                        throw new IOException("segment " + segment.path.getFileName() + ": undecodable entry " + index);
                    }
                    configurations.add(entry);
                }
                segment.add(Math.toIntExact(pos), term);
                pos += HEADER_BYTES + length;
            }
            segment.end = pos;
        }
    }

    @Override
    public void shutdown() {
        lock.writeLock().lock();
        try {
            closeSegments();
        } finally {
            lock.writeLock().unlock();
        }
        // Stops a segment being zero-filled; its file is deleted when the log is opened next.
        preparer.shutdownNow();
        try {
            if (!preparer.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("raft log {}: the next segment is still being prepared", dir);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeSegments() {
        for (Segment segment : segments.values()) {
            try {
                segment.channel.close();
            } catch (IOException e) {
                LOG.warn("raft log {}: closing {}: {}", dir, segment.path.getFileName(), e.toString());
            }
        }
        segments.clear();
    }

    @Override
    public long getFirstLogIndex() {
        lock.readLock().lock();
        try {
            return firstIndex;
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public long getLastLogIndex() {
        lock.readLock().lock();
        try {
            return lastIndexLocked();
        } finally {
            lock.readLock().unlock();
        }
    }

    private long lastIndexLocked() {
        return segments.isEmpty() ? firstIndex - 1 : segments.lastEntry().getValue().last();
    }

    @Override
    public LogEntry getEntry(long index) {
        lock.readLock().lock();
        try {
            return entryLocked(index);
        } finally {
            lock.readLock().unlock();
        }
    }

    private LogEntry entryLocked(long index) {
        Segment segment = segmentOf(index);
        if (segment == null) {
            return null;
        }
        int k = (int) (index - segment.first);
        long offset = segment.offsets[k];
        long next = k + 1 < segment.count ? segment.offsets[k + 1] : segment.end;
        ByteBuffer record = ByteBuffer.allocate((int) (next - offset)).order(ByteOrder.LITTLE_ENDIAN);
        try {
            while (record.hasRemaining()) {
                if (segment.channel.read(record, offset + record.position()) < 0) {
                    throw new IOException("end of file");
                }
            }
        } catch (IOException e) {
            LOG.error("raft log {}: cannot read entry {}: {}", dir, index, e.toString());
            return null;
        }
        CRC32C crc = new CRC32C();
        crc.update(record.array(), 8, record.capacity() - 8);
        if ((int) crc.getValue() != record.getInt(4) || record.getLong(8) != index) {
            LOG.error("raft log {}: entry {} in {} fails its check", dir, index, segment.path.getFileName());
            return null;
        }
        return decoder.decode(Arrays.copyOfRange(record.array(), HEADER_BYTES, record.capacity()));
    }

    private Segment segmentOf(long index) {
        if (index < firstIndex) {
            return null;
        }
        Map.Entry<Long, Segment> floor = segments.floorEntry(index);
        if (floor == null || index > floor.getValue().last()) {
            return null;
        }
        return floor.getValue();
    }

    @Override
    public long getTerm(long index) {
        lock.readLock().lock();
        try {
            Segment segment = segmentOf(index);
            return segment == null ? 0 : segment.terms[(int) (index - segment.first)];
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public boolean appendEntry(LogEntry entry) {
        return appendEntries(List.of(entry)) == 1;
    }

    /**
     * Writes the entries after the last one, each batch of a segment with one write and one
     * sync; returns how many are durable (all, unless an I/O error stopped it).
     */
    @Override
    public int appendEntries(List<LogEntry> entries) {
        if (entries == null || entries.isEmpty()) {
            return 0;
        }
        List<byte[]> payloads = entries.stream().map(encoder::encode).toList();
        int done = 0;
        lock.writeLock().lock();
        try {
            while (done < entries.size()) {
                done += appendToOneSegment(entries, payloads, done);
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("raft log {}: append failed after {} of {} entries: {}", dir, done, entries.size(),
                    e.toString(), e);
        } finally {
            lock.writeLock().unlock();
        }
        return done;
    }

    /**
     * Appends what fits of {@code entries} from {@code from} (encoded as {@code payloads}) into
     * the last segment, or a new one when not even the first fits; returns how many (at least one).
     */
    private int appendToOneSegment(List<LogEntry> entries, List<byte[]> payloads, int from) throws IOException {
        long firstEntryIndex = entries.get(from).getId().getIndex();
        if (!segments.isEmpty() && firstEntryIndex != lastIndexLocked() + 1) {
            throw new IOException("append of entry " + firstEntryIndex + " after " + lastIndexLocked());
        }
        long firstBytes = HEADER_BYTES + (long) payloads.get(from).length;
        Segment segment = segments.isEmpty() ? null : segments.lastEntry().getValue();
        if (segment == null || segment.end + firstBytes > segment.capacity) {
            segment = newSegment(firstEntryIndex, firstBytes);
        }
        int count = 0;
        long bytes = 0;
        while (from + count < entries.size()) {
            long size = HEADER_BYTES + (long) payloads.get(from + count).length;
            if (segment.end + bytes + size > segment.capacity) {
                break;
            }
            bytes += size;
            count++;
        }
        ByteBuffer batch = ByteBuffer.allocate(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
        CRC32C crc = new CRC32C();
        for (int i = 0; i < count; i++) {
            LogEntry entry = entries.get(from + i);
            byte[] payload = payloads.get(from + i);
            long index = firstEntryIndex + i;
            if (entry.getId().getIndex() != index) {
                throw new IOException("append of entry " + entry.getId().getIndex() + " after " + (index - 1));
            }
            int start = batch.position();
            batch.putInt(payload.length).putInt(0).putLong(index).putLong(entry.getId().getTerm())
                    .putInt(entry.getType().getNumber()).putInt(0).put(payload);
            crc.reset();
            crc.update(batch.array(), start + 8, HEADER_BYTES - 8 + payload.length);
            batch.putInt(start + 4, (int) crc.getValue());
        }
        batch.flip();
        long position = segment.end;
        while (batch.hasRemaining()) {
            segment.channel.write(batch, position + batch.position());
        }
        segment.channel.force(false);
        long offset = position;
        for (int i = 0; i < count; i++) {
            segment.add(Math.toIntExact(offset), entries.get(from + i).getId().getTerm());
            offset += HEADER_BYTES + payloads.get(from + i).length;
        }
        segment.end = offset;
        return count;
    }

    /** Makes the segment that starts at {@code first}, from the prepared spare when it is large enough. */
    private Segment newSegment(long first, long needed) throws IOException {
        Path path = dir.resolve(String.format("%020d%s", first, SUFFIX));
        Path made;
        if (needed <= segmentBytes) {
            made = spare.join();
            if (made == null) {
                made = zeroFilled(dir.resolve(SPARE), segmentBytes); // the background attempt failed: try here
            }
        } else {
            // A single entry larger than a segment gets a segment of its own size.
            made = zeroFilled(dir.resolve(LARGE), (needed + 4095) / 4096 * 4096);
        }
        Files.move(made, path, StandardCopyOption.ATOMIC_MOVE);
        syncDirectory();
        prepareSpare();
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        Segment segment = new Segment(first, path, channel, channel.size());
        segments.put(first, segment);
        return segment;
    }

    private void prepareSpare() {
        spare = CompletableFuture.supplyAsync(() -> {
            try {
                return zeroFilled(dir.resolve(SPARE), segmentBytes);
            } catch (IOException e) {
                LOG.warn("raft log {}: cannot prepare the next segment: {}", dir, e.toString());
                return null;
            }
        }, preparer);
    }

    private static Path zeroFilled(Path path, long bytes) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            zero(channel, 0, bytes);
            channel.force(true);
        }
        return path;
    }

    private static void zero(FileChannel channel, long from, long to) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(ZERO_CHUNK, Math.max(0, to - from)));
        long pos = from;
        while (pos < to) {
            zeros.clear().limit((int) Math.min(zeros.capacity(), to - pos));
            pos += channel.write(zeros, pos);
        }
    }

    @Override
    public boolean truncatePrefix(long firstIndexKept) {
        lock.writeLock().lock();
        try {
            if (firstIndexKept <= firstIndex) {
                return true;
            }
            writeFirstIndex(firstIndexKept);
            firstIndex = firstIndexKept;
            while (!segments.isEmpty() && segments.firstEntry().getValue().last() < firstIndexKept) {
                delete(segments.pollFirstEntry().getValue());
            }
            return true;
        } catch (IOException e) {
            LOG.error("raft log {}: cannot drop entries before {}: {}", dir, firstIndexKept, e.toString(), e);
            return false;
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public boolean truncateSuffix(long lastIndexKept) {
        lock.writeLock().lock();
        try {
            truncateSuffixLocked(lastIndexKept);
            return true;
        } catch (IOException e) {
            LOG.error("raft log {}: cannot drop entries after {}: {}", dir, lastIndexKept, e.toString(), e);
            return false;
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void truncateSuffixLocked(long lastIndexKept) throws IOException {
        boolean deleted = false;
        while (!segments.isEmpty() && segments.lastEntry().getValue().first > lastIndexKept) {
            delete(segments.pollLastEntry().getValue());
            deleted = true;
        }
        if (deleted) {
            syncDirectory();
        }
        if (segments.isEmpty()) {
            return;
        }
        Segment cut = segments.lastEntry().getValue();
        if (cut.last() <= lastIndexKept) {
            return;
        }
        int keep = (int) (lastIndexKept - cut.first + 1);
        long from = cut.offsets[keep];
        zero(cut.channel, from, cut.end);
        cut.channel.force(false);
        cut.count = keep;
        cut.end = from;
    }

    @Override
    public boolean reset(long nextLogIndex) {
        if (nextLogIndex <= 0) {
            throw new IllegalArgumentException("next log index must be positive: " + nextLogIndex);
        }
        lock.writeLock().lock();
        try {
            LogEntry kept = entryLocked(nextLogIndex);
            truncateSuffixLocked(Long.MIN_VALUE);
            writeFirstIndex(nextLogIndex);
            firstIndex = nextLogIndex;
            if (kept == null) {
                // As jraft's own storages do: the log restarts with an entry at the index.
                kept = new LogEntry(EntryType.ENTRY_TYPE_NO_OP);
                kept.setId(new LogId(nextLogIndex, 0));
            }
            return appendToOneSegment(List.of(kept), List.of(encoder.encode(kept)), 0) == 1;
        } catch (IOException | RuntimeException e) {
            LOG.error("raft log {}: cannot reset to {}: {}", dir, nextLogIndex, e.toString(), e);
            return false;
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void delete(Segment segment) throws IOException {
        segment.channel.close();
        Files.deleteIfExists(segment.path);
    }

    private long readFirstIndex() throws IOException {
        Path path = dir.resolve(FIRST_INDEX);
        if (!Files.exists(path)) {
            return 1;
        }
        ByteBuffer stored = ByteBuffer.wrap(Files.readAllBytes(path)).order(ByteOrder.LITTLE_ENDIAN);
        if (stored.capacity() != 12) {
            throw new IOException(path + ": " + stored.capacity() + " bytes, expected 12");
        }
        CRC32C crc = new CRC32C();
        crc.update(stored.array(), 0, 8);
        if ((int) crc.getValue() != stored.getInt(8)) {
            throw new IOException(path + ": checksum mismatch");
        }
        return stored.getLong(0);
    }

    private void writeFirstIndex(long index) throws IOException {
        ByteBuffer value = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putLong(index);
        CRC32C crc = new CRC32C();
        crc.update(value.array(), 0, 8);
        value.putInt((int) crc.getValue()).flip();
        Path temp = dir.resolve(FIRST_INDEX + ".tmp");
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (value.hasRemaining()) {
                channel.write(value);
            }
            channel.force(true);
        }
        Files.move(temp, dir.resolve(FIRST_INDEX), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory();
    }

    private void syncDirectory() throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
