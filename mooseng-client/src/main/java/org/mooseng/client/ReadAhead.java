package org.mooseng.client;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import org.mooseng.common.InodeId;

/**
 * Sequential read-ahead for one open file: after a read that continues the previous one,
 * the next window is fetched in the background, so a reader that consumes small buffers
 * still keeps the chunk servers busy. A failed read-ahead is dropped silently; the read
 * that needs those bytes fetches them itself and reports any error.
 */
final class ReadAhead {
    private static final Executor BACKGROUND = Executors.newVirtualThreadPerTaskExecutor();

    private final ChunkReader reader;
    private final InodeId inode;
    private final String subject;
    private final int windowBytes;
    /** Where the previous read ended: a read starting here is sequential. */
    private long expectedPosition;
    private long prefetchPosition;
    private CompletableFuture<ByteBuffer> prefetch;

    ReadAhead(ChunkReader reader, InodeId inode, String subject, int windowBytes) {
        this.reader = reader;
        this.inode = inode;
        this.subject = subject;
        this.windowBytes = windowBytes;
    }

    int read(long position, ByteBuffer dst) throws MoosengException {
        if (!dst.hasRemaining()) {
            return 0;
        }
        int fromPrefetch = takeFromPrefetch(position, dst);
        int n;
        if (fromPrefetch > 0 && dst.hasRemaining()) {
            int rest = reader.read(inode, subject, position + fromPrefetch, dst);
            n = fromPrefetch + Math.max(rest, 0);
        } else if (fromPrefetch > 0) {
            n = fromPrefetch;
        } else {
            n = reader.read(inode, subject, position, dst);
        }
        boolean sequential = position == expectedPosition;
        expectedPosition = n > 0 ? position + n : position;
        if (sequential && n > 0 && prefetch == null && windowBytes > 0) {
            startPrefetch(position + n);
        }
        return n;
    }

    /** Forgets fetched bytes: the file changed through this handle. */
    void invalidate() {
        if (prefetch != null) {
            prefetch.cancel(false);
            prefetch = null;
        }
    }

    private int takeFromPrefetch(long position, ByteBuffer dst) {
        if (prefetch == null) {
            return 0;
        }
        if (position != prefetchPosition) {
            invalidate();
            return 0;
        }
        ByteBuffer fetched;
        try {
            fetched = prefetch.join();
        } catch (CompletionException | java.util.concurrent.CancellationException e) {
            prefetch = null;
            return 0;
        }
        int n = Math.min(fetched.remaining(), dst.remaining());
        dst.put(dst.position(), fetched, fetched.position(), n);
        dst.position(dst.position() + n);
        fetched.position(fetched.position() + n);
        if (fetched.hasRemaining()) {
            prefetchPosition += n;
        } else {
            prefetch = null;
        }
        return n;
    }

    private void startPrefetch(long position) {
        prefetchPosition = position;
        prefetch = CompletableFuture.supplyAsync(() -> {
            ByteBuffer buffer = ByteBuffer.allocate(windowBytes);
            try {
                reader.read(inode, subject, position, buffer);
            } catch (MoosengException e) {
                throw new CompletionException(e);
            }
            return buffer.flip();
        }, BACKGROUND);
    }
}
