package org.mooseng.common.locks;

import java.util.Objects;

/**
 * One owner's POSIX lock on the bytes [{@code first}, {@code last}], both inclusive.
 *
 * @param pid the process id the owner gave when taking it, reported to F_GETLK callers
 */
public record LockRange(LockMode mode, long first, long last, int pid) {
    /** Last byte of a lock "to the end of the file, and beyond". */
    public static final long END_OF_FILE = Long.MAX_VALUE;

    public LockRange {
        Objects.requireNonNull(mode, "mode");
        checkRange(first, last);
    }

    /** The last byte of a POSIX range of {@code length} bytes (0 = to the end) from {@code start}. */
    public static long lastByte(long start, long length) {
        if (start < 0 || length < 0) {
            throw new IllegalArgumentException("negative lock start or length: " + start + ", " + length);
        }
        if (length == 0 || start > END_OF_FILE - length) {
            return END_OF_FILE;
        }
        return start + length - 1;
    }

    static void checkRange(long first, long last) {
        if (first < 0 || last < first) {
            throw new IllegalArgumentException("lock range [" + first + ", " + last + "] is empty or negative");
        }
    }

    public boolean overlaps(long from, long to) {
        return first <= to && from <= last;
    }

    /** Bytes, 0 when it reaches the end of the file (as F_GETLK reports it). */
    public long length() {
        return last == END_OF_FILE ? 0 : last - first + 1;
    }
}
