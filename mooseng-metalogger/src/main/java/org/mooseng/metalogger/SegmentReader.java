package org.mooseng.metalogger;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads the records of one segment in order, verifying each CRC. Damage is reported as an
 * {@link ArchiveCorruptException} naming the file and the offset of the damaged record.
 */
final class SegmentReader implements AutoCloseable {
    private final Path file;
    private final long size;
    private final DataInputStream in;
    private final long firstIndex;
    private long offset;
    private long lastIndex;

    private SegmentReader(Path file, long size, DataInputStream in, long firstIndex) {
        this.file = file;
        this.size = size;
        this.in = in;
        this.firstIndex = firstIndex;
        this.offset = SegmentFormat.HEADER_BYTES;
    }

    /** Opens a segment and checks its header against its file name. */
    static SegmentReader open(Path file) throws IOException {
        OptionalLong named = SegmentFormat.firstIndexOf(file.getFileName().toString());
        if (named.isEmpty()) {
            throw new IllegalArgumentException(file + " is not a segment file name");
        }
        long size = Files.size(file);
        InputStream raw = Files.newInputStream(file);
        DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16));
        try {
            byte[] header = new byte[SegmentFormat.HEADER_BYTES];
            if (size < header.length) {
                throw new ArchiveCorruptException(file, 0, true, "segment header cut short (" + size + " bytes)");
            }
            in.readFully(header);
            OptionalLong first = SegmentFormat.parseHeader(header);
            if (first.isEmpty()) {
                throw new ArchiveCorruptException(file, 0, false, "bad segment header");
            }
            if (first.getAsLong() != named.getAsLong()) {
                throw new ArchiveCorruptException(file, 0, false, "header says first index " + first.getAsLong()
                        + ", the name says " + named.getAsLong());
            }
            return new SegmentReader(file, size, in, first.getAsLong());
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    long firstIndex() {
        return firstIndex;
    }

    /** Offset of the next record (after the last one returned). */
    long offset() {
        return offset;
    }

    Path file() {
        return file;
    }

    /** The next record; empty at a clean end of the file. */
    Optional<LogRecord> next() throws IOException {
        if (offset == size) {
            return Optional.empty();
        }
        long start = offset;
        if (size - start < SegmentFormat.RECORD_HEAD_BYTES) {
            throw damaged(start, true, "record header cut short (" + (size - start) + " bytes left)");
        }
        byte[] head = new byte[SegmentFormat.RECORD_HEAD_BYTES];
        in.readFully(head);
        ByteBuffer h = ByteBuffer.wrap(head);
        int length = h.getInt();
        long index = h.getLong();
        long prev = h.getLong();
        long seconds = h.getLong();
        int nanos = h.getInt();
        if (length < 0 || length > SegmentFormat.MAX_OP_BYTES) {
            throw damaged(start, allZero(start), "impossible op length " + length);
        }
        long end = start + SegmentFormat.recordBytes(length);
        if (end > size) {
            throw damaged(start, true, "record of " + SegmentFormat.recordBytes(length) + " bytes runs past the end ("
                    + (size - start) + " bytes left)");
        }
        byte[] body = new byte[SegmentFormat.RECORD_HEAD_BYTES + length];
        System.arraycopy(head, 0, body, 0, head.length);
        int stored;
        try {
            in.readFully(body, head.length, length);
            stored = in.readInt();
        } catch (EOFException e) {
            throw damaged(start, true, "file shrank while reading");
        }
        if (stored != SegmentFormat.crc(body, 0, body.length)) {
            throw damaged(start, end == size || allZero(start), "CRC32C mismatch in the record claiming index " + index);
        }
        offset = end;
        if (index <= lastIndex || (lastIndex == 0 && index != firstIndex)) {
            throw damaged(start, false, "index " + index + " out of order (after " + (lastIndex == 0
                    ? "segment start " + firstIndex : lastIndex) + ")");
        }
        LogRecord record;
        try {
            record = new LogRecord(index, prev, seconds, nanos, java.util.Arrays.copyOfRange(body, head.length,
                    body.length));
        } catch (IllegalArgumentException e) {
            throw damaged(start, false, e.getMessage());
        }
        lastIndex = index;
        return Optional.of(record);
    }

    /**
     * Whether every byte from {@code start} to the end of the file is zero: what a file system
     * can leave behind a write that a crash cut short.
     */
    private boolean allZero(long start) throws IOException {
        try (var channel = Files.newByteChannel(file)) {
            channel.position(start);
            ByteBuffer buf = ByteBuffer.allocate(1 << 16);
            while (channel.read(buf.clear()) > 0) {
                buf.flip();
                while (buf.hasRemaining()) {
                    if (buf.get() != 0) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    private ArchiveCorruptException damaged(long at, boolean reachesEnd, String reason) {
        return new ArchiveCorruptException(file, at, reachesEnd, reason);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
