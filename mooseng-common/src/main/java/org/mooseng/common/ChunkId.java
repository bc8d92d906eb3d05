package org.mooseng.common;

/** A 64-bit chunk id, printed in hex as operators see it in logs and file names. */
public record ChunkId(long value) {
    public ChunkId {
        if (value <= 0) {
            throw new IllegalArgumentException("chunk id must be positive: " + value);
        }
    }

    public String hex() {
        return String.format("%016X", value);
    }

    @Override
    public String toString() {
        return "chunk " + hex();
    }
}
