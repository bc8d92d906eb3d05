package org.mooseng.client;

import java.nio.ByteBuffer;
import java.util.Set;
import org.mooseng.common.InodeId;
import org.mooseng.common.Status;

/**
 * An open regular file. Positional reads and writes may span chunk boundaries; writes are
 * pipelined and become durable at {@link #fsync} or {@link #close}. A handle is meant for
 * one thread at a time; its methods are synchronized so that sharing it is safe, not fast.
 */
public final class MoosengFile implements AutoCloseable {
    private final FileStat statAtOpen;
    private final MoosengClient client;
    private final InodeId inode;
    private final String subject;
    private final boolean readable;
    private final boolean writable;
    private final boolean append;
    private final ChunkWriter writer;
    private final ReadAhead readAhead;
    private final Release release;
    private final boolean created;
    private boolean closed;

    /** What closing the handle tells the master (the open registered in the client's session). */
    @FunctionalInterface
    interface Release {
        Release NONE = () -> { };

        void run() throws MoosengException;
    }

    MoosengFile(MoosengClient client, FileStat statAtOpen, String subject, Set<OpenFlag> flags, ChunkWriter writer,
                ReadAhead readAhead, Release release, boolean created) {
        this.statAtOpen = statAtOpen;
        this.created = created;
        this.release = release;
        this.client = client;
        this.inode = statAtOpen.inode();
        this.subject = subject;
        this.writable = flags.contains(OpenFlag.WRITE) || flags.contains(OpenFlag.APPEND);
        this.readable = flags.contains(OpenFlag.READ) || !writable;
        this.append = flags.contains(OpenFlag.APPEND);
        this.writer = writer;
        this.readAhead = readAhead;
    }

    public InodeId inode() {
        return inode;
    }

    /** The path (or inode) the file was opened by, as used in error messages. */
    public String path() {
        return subject;
    }

    /**
     * Reads into dst from the given file position. Returns the bytes read (fewer than
     * requested only at the end of the file), or -1 when position is at or past the end.
     */
    public synchronized int read(long position, ByteBuffer dst) throws MoosengException {
        ensureOpen();
        if (!readable) {
            throw new MoosengException(Status.EBADF, subject, "not open for reading");
        }
        // Uncommitted writes are neither sized nor versioned on the master yet: commit them first.
        if (writer.hasUncommittedWrites()) {
            writer.flush();
        }
        return readAhead.read(position, dst);
    }

    /** Writes all of src at the given position (at the end when opened with APPEND); returns the count. */
    public synchronized int write(long position, ByteBuffer src) throws MoosengException {
        ensureWritable();
        int n = src.remaining();
        readAhead.invalidate();
        writer.write(append ? currentSize() : position, src);
        return n;
    }

    /** Writes all of src at the current end of the file; returns the position it was written at. */
    public synchronized long append(ByteBuffer src) throws MoosengException {
        ensureWritable();
        long position = currentSize();
        readAhead.invalidate();
        writer.write(position, src);
        return position;
    }

    /** The file size including this handle's writes not yet committed. */
    public synchronized long size() throws MoosengException {
        ensureOpen();
        return currentSize();
    }

    /**
     * Drops what this handle read ahead and the chunk locations it holds, so that the next read
     * asks the master: for a caller that knows the file changed through another handle (whose
     * writes it just committed).
     */
    public synchronized void dropCachedReads() throws MoosengException {
        ensureOpen();
        readAhead.invalidate();
    }

    /** Returns when everything written is on disk on every replica and the size is committed. */
    public synchronized void fsync() throws MoosengException {
        ensureOpen();
        writer.flush();
    }

    public synchronized void truncate(long sizeBytes) throws MoosengException {
        ensureWritable();
        readAhead.invalidate();
        writer.flush();
        client.truncate(inode, sizeBytes, subject);
    }

    /**
     * The attributes the master reported when this file was opened, before any truncation the
     * open asked for: a cache may keep what it holds of the file when they are unchanged.
     */
    public FileStat statAtOpen() {
        return statAtOpen;
    }

    /**
     * Whether the open created the file (a create that found it already there did not): a new
     * file has no extended attributes yet.
     */
    public boolean created() {
        return created;
    }

    public synchronized FileStat stat() throws MoosengException {
        ensureOpen();
        return client.stat(inode);
    }

    /**
     * Commits like {@link #fsync}, then releases the open in the client's session (an unlinked
     * file is deleted by the last release, which is sent in the background within milliseconds);
     * the handle is closed even when that fails.
     */
    @Override
    public synchronized void close() throws MoosengException {
        if (closed) {
            return;
        }
        try {
            writer.flush();
        } finally {
            closed = true;
            readAhead.invalidate();
            writer.close();
            release.run();
        }
    }

    private long currentSize() throws MoosengException {
        return Math.max(client.stat(inode).sizeBytes(), writer.writtenEnd());
    }

    private void ensureWritable() throws MoosengException {
        ensureOpen();
        if (!writable) {
            throw new MoosengException(Status.EBADF, subject, "not open for writing");
        }
    }

    private void ensureOpen() throws MoosengException {
        if (closed) {
            throw new MoosengException(Status.EBADF, subject, "file is closed");
        }
    }
}
