package org.mooseng.common;

/** A chunk's version: raised at every write session, so a replica that missed one is stale. */
public record ChunkVersion(int value) implements Comparable<ChunkVersion> {
    public ChunkVersion {
        if (value < 0) {
            throw new IllegalArgumentException("chunk version must not be negative: " + value);
        }
    }

    public ChunkVersion next() {
        return new ChunkVersion(value + 1);
    }

    @Override
    public int compareTo(ChunkVersion other) {
        return Integer.compareUnsigned(value, other.value);
    }

    @Override
    public String toString() {
        return "v" + Integer.toUnsignedString(value);
    }
}
