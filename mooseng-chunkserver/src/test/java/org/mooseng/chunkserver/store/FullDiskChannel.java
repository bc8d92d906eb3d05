package org.mooseng.chunkserver.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A file channel that behaves like a disk with {@code budget} bytes left: bytes written past
 * the end of the file use the budget, overwriting existing bytes does not; a write past the
 * budget writes what fits and then fails with the JDK's "No space left on device".
 */
final class FullDiskChannel extends FileChannel {
    private final FileChannel delegate;
    private final AtomicLong budget;

    /** Counts the forces (fsyncs) asked of channels made with it; may be null. */
    private AtomicLong forces;
    /** While set, every force fails with an I/O error (a disk that lost the writes); may be null. */
    private java.util.concurrent.atomic.AtomicBoolean failForces;

    /** As the counting constructor; forces fail while {@code failForces} is set. */
    FullDiskChannel(FileChannel delegate, AtomicLong forces, java.util.concurrent.atomic.AtomicBoolean failForces) {
        this(delegate, new AtomicLong(1L << 40), forces);
        this.failForces = failForces;
    }

    /** As the other constructor, counting each force in {@code forces}. */
    FullDiskChannel(FileChannel delegate, AtomicLong budget, AtomicLong forces) {
        this(delegate, budget);
        this.forces = forces;
    }

    FullDiskChannel(FileChannel delegate, AtomicLong budget) {
        this.delegate = delegate;
        this.budget = budget;
    }

    private int limitedWrite(ByteBuffer src, long position) throws IOException {
        long at = position < 0 ? delegate.position() : position;
        long inPlace = Math.max(0, delegate.size() - at);
        long allowed = inPlace + Math.max(0, budget.get());
        if (allowed <= 0) {
            throw new IOException("No space left on device");
        }
        ByteBuffer part = src.duplicate();
        if (part.remaining() > allowed) {
            part.limit(part.position() + (int) allowed);
        }
        int n = position < 0 ? delegate.write(part) : delegate.write(part, position);
        src.position(src.position() + n);
        budget.addAndGet(-Math.max(0, n - inPlace));
        return n;
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        return limitedWrite(src, position);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return limitedWrite(src, -1);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        throw new UnsupportedOperationException("not used by the store");
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return delegate.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return delegate.read(dsts, offset, length);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        return delegate.read(dst, position);
    }

    @Override
    public long position() throws IOException {
        return delegate.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        delegate.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        return delegate.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        delegate.truncate(size);
        return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
        if (forces != null) {
            forces.incrementAndGet();
        }
        if (failForces != null && failForces.get()) {
            throw new IOException("Input/output error");
        }
        delegate.force(metaData);
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        return delegate.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        throw new UnsupportedOperationException("not used by the store");
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        return delegate.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
        return delegate.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        return delegate.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
        delegate.close();
    }
}
