package org.mooseng.metalogger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writing side of the archived log: appends records to the newest segment, rolls to a new
 * one past {@code segmentBytes}, makes them durable on {@link #sync()}, and deletes segments a
 * restore no longer needs. Opening repairs a tail that a crash left half-written (nothing
 * there was ever synced, so nothing acknowledged is lost). Thread-safe.
 */
final class LogArchive implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogArchive.class);

    private final Path dir;
    private final long segmentBytes;
    /** First index of every segment, ascending; the last one is open for appends. */
    private final List<Long> segments = new ArrayList<>();
    private FileChannel active;
    private long activeSize;
    private Optional<LogRecord> lastRecord;
    private boolean dirty;
    private boolean closed;

    private LogArchive(Path dir, long segmentBytes) {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
    }

    /** Opens (creating if needed) the segments in {@code dir}. */
    static LogArchive open(Path dir, long segmentBytes) throws IOException {
        if (segmentBytes < SegmentFormat.HEADER_BYTES + SegmentFormat.recordBytes(0)) {
            throw new IllegalArgumentException("segment size too small: " + segmentBytes);
        }
        Files.createDirectories(dir);
        LogArchive archive = new LogArchive(dir, segmentBytes);
        archive.segments.addAll(listSegments(dir));
        archive.lastRecord = archive.recoverTail();
        return archive;
    }

    /** First indexes of the segment files in {@code dir}, ascending. */
    static List<Long> listSegments(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> SegmentFormat.firstIndexOf(p.getFileName().toString()))
                    .filter(OptionalLong::isPresent).map(OptionalLong::getAsLong).sorted().toList();
        }
    }

    static Path segmentPath(Path dir, long firstIndex) {
        return dir.resolve(SegmentFormat.fileName(firstIndex));
    }

    /**
     * Drops what a crash left at the end of the newest segment: a header or record cut short
     * or failing its CRC. Segments left empty are removed, and the one before is checked in
     * turn. Returns the last good record.
     */
    private Optional<LogRecord> recoverTail() throws IOException {
        while (!segments.isEmpty()) {
            long first = segments.getLast();
            Path file = segmentPath(dir, first);
            LogRecord last = null;
            long goodEnd = SegmentFormat.HEADER_BYTES;
            try (SegmentReader reader = SegmentReader.open(file)) {
                try {
                    for (Optional<LogRecord> r = reader.next(); r.isPresent(); r = reader.next()) {
                        last = r.get();
                        goodEnd = reader.offset();
                    }
                } catch (ArchiveCorruptException e) {
                    long size = Files.size(file);
                    if (e.reachesEnd()) {
                        LOG.warn("metalogger archive: {}; dropping the {} bytes from offset {} (a write cut short)",
                                e.getMessage(), size - goodEnd, goodEnd);
                    } else {
                        // Decay inside synced data: what follows cannot be chained to what precedes it
                        // anyway; the server notices the archive is behind its namespace copy and takes
                        // a snapshot, so restores start after the damage.
                        LOG.error("metalogger archive: {}; dropping the {} bytes from offset {}",
                                e.getMessage(), size - goodEnd, goodEnd);
                    }
                    truncate(file, goodEnd);
                }
            } catch (ArchiveCorruptException e) {
                // The header itself: a segment created just before a crash, holding nothing synced.
                LOG.warn("metalogger archive: {}; removing the segment", e.getMessage());
                Files.delete(file);
                segments.removeLast();
                continue;
            }
            if (last == null) {
                Files.delete(file);
                segments.removeLast();
                continue;
            }
            active = FileChannel.open(file, StandardOpenOption.WRITE);
            activeSize = goodEnd;
            active.position(activeSize);
            return Optional.of(last);
        }
        return Optional.empty();
    }

    private static void truncate(Path file, long size) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(size);
            channel.force(true);
        }
    }

    /**
     * Appends a record (not yet durable: see {@link #sync()}). A record whose index the archive
     * already holds is ignored: after a restart the Raft log delivers again what the archive
     * synced but the namespace copy had not applied yet.
     */
    synchronized void append(LogRecord record) throws IOException {
        requireOpen();
        long last = lastIndex();
        if (record.index() <= last) {
            return;
        }
        ByteBuffer bytes = SegmentFormat.encode(record);
        if (active == null || activeSize + bytes.remaining() > segmentBytes) {
            roll(record.index());
        }
        while (bytes.hasRemaining()) {
            activeSize += active.write(bytes);
        }
        lastRecord = Optional.of(record);
        dirty = true;
    }

    private void roll(long firstIndex) throws IOException {
        if (active != null) {
            active.force(false);
            active.close();
            active = null;
        }
        Path file = segmentPath(dir, firstIndex);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        ByteBuffer header = SegmentFormat.header(firstIndex);
        while (header.hasRemaining()) {
            channel.write(header);
        }
        channel.force(true);
        syncDirectory(dir);
        active = channel;
        activeSize = SegmentFormat.HEADER_BYTES;
        segments.add(firstIndex);
        LOG.debug("metalogger archive: new segment {}", file.getFileName());
    }

    /** Makes every appended record durable. */
    synchronized void sync() throws IOException {
        requireOpen();
        if (dirty && active != null) {
            active.force(false);
        }
        dirty = false;
    }

    /** Index of the last appended record; 0 when there is none. */
    synchronized long lastIndex() {
        return lastRecord.map(LogRecord::index).orElse(0L);
    }

    synchronized Optional<LogRecord> lastRecord() {
        return lastRecord;
    }

    synchronized int segmentCount() {
        return segments.size();
    }

    /**
     * Deletes the segments whose records all have indexes up to {@code index} (a restore starts
     * from a snapshot at {@code index} or later, so it never reads them). The newest segment is
     * kept. Returns how many were deleted.
     */
    synchronized int deleteUpTo(long index) throws IOException {
        requireOpen();
        int deleted = 0;
        while (segments.size() > 1 && segments.get(1) <= index + 1) {
            Files.deleteIfExists(segmentPath(dir, segments.getFirst()));
            segments.removeFirst();
            deleted++;
        }
        if (deleted > 0) {
            syncDirectory(dir);
        }
        return deleted;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("metalogger archive " + dir + " is closed");
        }
    }

    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (active != null) {
            active.force(false);
            active.close();
        }
    }
}
