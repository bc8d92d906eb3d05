package org.mooseng.chunkserver.data;

import org.mooseng.common.Layout;

/**
 * How long a read of one block from this server's disks takes, as a moving average of the
 * recent ones. A network thread reads a block the page cache does not hold itself, rather
 * than hand it to a disk thread and take the reply back, only while that average is below
 * {@link #INLINE_BELOW_NANOS}: on a disk that fast the two thread hand-offs cost more than
 * the read, while on a disk that seeks for milliseconds the network thread must not wait.
 */
final class DiskReadLatency {
    /**
     * Well above a solid-state disk's read of 64 KiB with its outliers (~90 us on average here,
     * up to 1.5 ms now and then), well below a spinning disk's seek (4 to 10 ms).
     */
    static final long INLINE_BELOW_NANOS = 1_000_000;
    /** Weight of the newest sample: 1/8. */
    private static final int SHIFT = 3;

    /** Starts at 0, so the first reads are made in place and their times decide from then on. */
    private volatile long averageNanos;

    /** Whether a read of {@code length} bytes should be made in place now. */
    boolean readInPlace(int length) {
        return length <= Layout.BLOCK_SIZE_BYTES && averageNanos < INLINE_BELOW_NANOS;
    }

    /**
     * Counts the time of one disk read of {@code length} bytes; only reads of a block or less
     * count. Updates from two threads at once may lose one: it is an estimate.
     */
    void record(int length, long nanos) {
        if (length <= Layout.BLOCK_SIZE_BYTES) {
            long average = averageNanos;
            averageNanos = average + ((nanos - average) >> SHIFT);
        }
    }

    long averageNanos() {
        return averageNanos;
    }
}
