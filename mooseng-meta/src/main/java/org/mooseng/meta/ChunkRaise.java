package org.mooseng.meta;

import java.util.List;

/**
 * The last raise of a chunk's version, as the namespace recorded it: the chain the leader
 * raised it on, the floor (the lowest version a member of that chain may still hold) and, for
 * a raise by truncation, the length the chunk was cut to.
 *
 * <p>A raise is committed before any frame of the new version is written, so a chain member
 * still below the version received no frame of it; every acknowledged write of the new
 * version reached every chain member, so such a copy misses no acknowledged data. It holds
 * the chunk's current data when the raise was a write (the writer may have died, or the
 * leader with it, before a single frame), and after a truncation it lacks only the cut. A
 * copy of a server outside the chain, or below the floor, is stale.
 *
 * @param floorVersion lowest version (unsigned) a chain member may hold; chain members from
 *     it up to below the chunk's version missed only this raise (and raises without data)
 * @param chain server ids the version was raised on
 * @param truncatedToBytes the chunk's length after a raise by truncation; -1 for a write
 */
public record ChunkRaise(int floorVersion, List<String> chain, long truncatedToBytes) {
    /** No raise recorded (a new chunk, or one raised before raises were recorded): no copy below the version counts. */
    public static final ChunkRaise NONE = new ChunkRaise(0, List.of(), -1);

    public ChunkRaise {
        chain = List.copyOf(chain);
    }

    public boolean isTruncation() {
        return truncatedToBytes >= 0;
    }

    /** Whether a copy at {@code copyVersion} on this server holds every acknowledged byte of the chunk now. */
    public boolean holdsCurrentData(String serverId, int copyVersion, int currentVersion) {
        return copyVersion == currentVersion || (!isTruncation() && missedOnlyThisRaise(serverId, copyVersion,
                currentVersion));
    }

    /**
     * Whether a copy below the chunk's version can be brought to it in place: raised (after
     * truncating it to {@link #truncatedToBytes} for a truncation) without any data moving.
     */
    public boolean missedOnlyThisRaise(String serverId, int copyVersion, int currentVersion) {
        return !chain.isEmpty() && chain.contains(serverId)
                && Integer.compareUnsigned(copyVersion, floorVersion) >= 0
                && Integer.compareUnsigned(copyVersion, currentVersion) < 0;
    }

    /**
     * The floor of the next write raise from {@code version} whose lease base is {@code base}:
     * chain members below this raise's floor, or below a truncation, must not count.
     */
    int nextFloor(int version, int base) {
        int lowest = chain.isEmpty() || isTruncation() ? version : floorVersion;
        return Integer.compareUnsigned(base, lowest) > 0 ? base : lowest;
    }
}
