package org.mooseng.client;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import org.mooseng.common.InodeId;
import org.mooseng.proto.ReadChunkReply;

/**
 * Sequential read-ahead for one open file. The window is cut into {@value #SEGMENTS}
 * segments fetched in the background, each as soon as the reader has moved into the segment
 * before it, so the chunk servers always have the next segments in flight while the reader
 * consumes one. Reads are served from any fetched segment that holds their bytes, so a
 * stream of requests that arrive slightly out of order (the kernel's read-ahead handed to
 * several mount threads) still counts as sequential; a read elsewhere goes to the chunk
 * servers directly and, once the reader has moved away, the segments are dropped.
 *
 * <p>No segment starts past the end of the file as the last chunk location told it. Segments
 * only serve the bytes they hold: a read past them (the end of the file as it was, or a file
 * that has grown since) is read directly. A failed segment is dropped silently;
 * the read that needs those bytes fetches them itself and reports any error. Not thread-safe:
 * the handle serializes its calls.
 */
final class ReadAhead {
    private static final Executor BACKGROUND = Executors.newVirtualThreadPerTaskExecutor();
    /** Segments a window is cut into: one being consumed, the rest in flight. */
    static final int SEGMENTS = 4;
    /**
     * How far from where the previous read ended a read still continues the stream: the
     * kernel's read-ahead of a FUSE file (1 MiB) is split into requests that several mount
     * threads hand over in any order.
     */
    private static final long NEAR_BYTES = 1 << 20;
    /** The smallest segment worth a background fetch. */
    private static final int MIN_SEGMENT_BYTES = 128 << 10;

    /** A fetch of [start, start + capacity): the buffer holds what was read, flipped. */
    private record Segment(long start, int capacity, CompletableFuture<ByteBuffer> fetch) {
        long end() {
            return start + capacity;
        }
    }

    private final ChunkReader reader;
    private final InodeId inode;
    private final String subject;
    private final int segmentBytes;
    private final LocationCache locations = new LocationCache();
    /** Segments by start; they are contiguous from the lowest one to {@link #streamEnd}. */
    private final TreeMap<Long, Segment> segments = new TreeMap<>();
    /** Buffers of segments that were consumed, for the next fetches. */
    private final ArrayDeque<ByteBuffer> spare = new ArrayDeque<>();
    /** Where the reading stream is (the furthest end of its reads): a read starting here is sequential. */
    private long expectedPosition;
    /** Reads in a row that started near where the previous one ended. */
    private int nearInARow;
    /** The end of the last segment started, when any is held. */
    private long streamEnd;

    ReadAhead(ChunkReader reader, InodeId inode, String subject, int windowBytes) {
        this.reader = reader;
        this.inode = inode;
        this.subject = subject;
        this.segmentBytes = windowBytes <= 0 ? 0 : Math.max(MIN_SEGMENT_BYTES, windowBytes / SEGMENTS);
    }

    /** Where a chunk is, as the master told it with the open: the first read need not ask. */
    void locatedAtOpen(long chunkIndex, ReadChunkReply location) {
        locations.put(chunkIndex, location, locations.generation());
    }

    int read(long position, ByteBuffer dst) throws MoosengException {
        if (!dst.hasRemaining()) {
            return 0;
        }
        // A stream starts with a read where the previous one ended (or at the start of the file),
        // or with two reads in a row near where the one before ended (requests out of order);
        // while it runs, a read near its position continues it.
        boolean near = Math.abs(position - expectedPosition) <= NEAR_BYTES;
        nearInARow = near ? nearInARow + 1 : 0;
        boolean sequential = position == expectedPosition || covered(position)
                || near && (!segments.isEmpty() || nearInARow >= 2);
        int fromSegments = takeFromSegments(position, dst);
        int n = fromSegments;
        if (dst.hasRemaining()) {
            int rest = reader.read(inode, subject, position + fromSegments, dst, locations);
            if (rest > 0) {
                n += rest;
            } else if (fromSegments == 0) {
                n = rest;
            }
        }
        long end = n > 0 ? position + n : position;
        // Out-of-order requests of one stream must not pull the expected position back.
        expectedPosition = sequential ? Math.max(expectedPosition, end) : end;
        if (segmentBytes > 0 && n > 0) {
            if (sequential) {
                fetchAhead(expectedPosition);
            } else {
                dropSegments();
            }
        }
        return n;
    }

    /** Forgets fetched bytes and chunk locations: the file changed through this handle. */
    void invalidate() {
        dropSegments();
        locations.clear();
        expectedPosition = 0;
    }

    private boolean covered(long position) {
        Map.Entry<Long, Segment> floor = segments.floorEntry(position);
        return floor != null && position < floor.getValue().end();
    }

    /** Copies from held segments for as long as they hold the bytes at the read position. */
    private int takeFromSegments(long position, ByteBuffer dst) {
        int copied = 0;
        while (dst.hasRemaining()) {
            Map.Entry<Long, Segment> floor = segments.floorEntry(position + copied);
            if (floor == null || position + copied >= floor.getValue().end()) {
                break;
            }
            Segment segment = floor.getValue();
            ByteBuffer fetched;
            try {
                fetched = segment.fetch().join();
            } catch (CompletionException | java.util.concurrent.CancellationException e) {
                segments.remove(segment.start());
                break;
            }
            int offset = Math.toIntExact(position + copied - segment.start());
            int available = fetched.limit() - offset;
            if (available <= 0) {
                break; // the file ended inside this segment when it was fetched
            }
            int count = Math.min(available, dst.remaining());
            dst.put(dst.position(), fetched, offset, count);
            dst.position(dst.position() + count);
            copied += count;
            if (fetched.limit() < segment.capacity()) {
                break;
            }
        }
        return copied;
    }

    /**
     * Keeps the window ({@value #SEGMENTS} segments) from {@code position} on fetched or in
     * flight, starting where the stream
     * ends, and recycles those that lie wholly more than a segment behind it (a request of the
     * same stream may still come in late for those just behind).
     */
    private void fetchAhead(long position) {
        for (Iterator<Segment> it = segments.values().iterator(); it.hasNext(); ) {
            Segment segment = it.next();
            if (segment.end() + segmentBytes > position) {
                break;
            }
            it.remove();
            recycle(segment);
        }
        if (segments.isEmpty() || streamEnd < position) {
            dropSegments();
            streamEnd = position;
        }
        long fileSize = locations.fileSize();
        while (streamEnd < position + (long) (SEGMENTS - 1) * segmentBytes) {
            if (fileSize >= 0 && streamEnd >= fileSize) {
                return; // past the end of the file as the master last told it: a small file needs no window
            }
            Segment last = segments.isEmpty() ? null : segments.lastEntry().getValue();
            if (last != null && last.fetch().isDone() && !last.fetch().isCompletedExceptionally()
                    && last.fetch().join().limit() < last.capacity()) {
                return; // the end of the file as it was then: nothing to fetch beyond it
            }
            startSegment(streamEnd);
            streamEnd += segmentBytes;
        }
    }

    private void startSegment(long start) {
        ByteBuffer buffer = spare.isEmpty() ? ByteBuffer.allocate(segmentBytes) : spare.pop().clear();
        CompletableFuture<ByteBuffer> fetch = CompletableFuture.supplyAsync(() -> {
            try {
                int n = reader.read(inode, subject, start, buffer, locations);
                if (n < 0) {
                    buffer.position(0);
                }
            } catch (MoosengException e) {
                throw new CompletionException(e);
            }
            return buffer.flip();
        }, BACKGROUND);
        segments.put(start, new Segment(start, segmentBytes, fetch));
    }

    private void dropSegments() {
        segments.values().forEach(this::recycle);
        segments.clear();
    }

    /** Keeps a finished segment's buffer for later fetches; one still running is abandoned to the collector. */
    private void recycle(Segment segment) {
        CompletableFuture<ByteBuffer> fetch = segment.fetch();
        if (fetch.isDone() && !fetch.isCompletedExceptionally() && spare.size() < SEGMENTS) {
            spare.push(fetch.join());
        } else {
            fetch.cancel(false);
        }
    }
}
