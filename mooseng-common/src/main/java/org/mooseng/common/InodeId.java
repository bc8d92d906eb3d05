package org.mooseng.common;

/** A 64-bit inode number. The root directory is {@link #ROOT}. */
public record InodeId(long value) {
    public static final InodeId ROOT = new InodeId(1);

    public InodeId {
        if (value <= 0) {
            throw new IllegalArgumentException("inode id must be positive: " + value);
        }
    }

    @Override
    public String toString() {
        return "inode " + value;
    }
}
