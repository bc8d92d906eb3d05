package org.mooseng.master.sessions;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * File locks held by the leader: POSIX byte-range locks (fcntl) and whole-file flock locks,
 * kept apart as Linux does. Soft state: a leader change drops it and clients take their
 * locks again. Pure logic, no clock and no threads; methods are synchronized because gRPC
 * calls arrive on many threads.
 *
 * <p>Locks of one owner never conflict with each other: a new lock of an owner replaces the
 * owner's locks on the range (splitting them), and touching ranges of the same mode merge.
 */
public final class LockTable {
    /** Last byte of a lock "to the end of the file, and beyond". */
    public static final long END_OF_FILE = Long.MAX_VALUE;

    /** Who holds a lock: a session and the lock owner id the client gave (one per process or open file). */
    public record Owner(long sessionId, long lockOwner) {
    }

    public enum Mode {
        SHARED,
        EXCLUSIVE;

        boolean conflictsWith(Mode other) {
            return this == EXCLUSIVE || other == EXCLUSIVE;
        }
    }

    /** A byte-range lock on [{@code first}, {@code last}], both inclusive. */
    public record RangeLock(Owner owner, Mode mode, long first, long last, int pid) {
        public RangeLock {
            if (first < 0 || last < first) {
                throw new IllegalArgumentException("lock range [" + first + ", " + last + "] is empty or negative");
            }
        }

        boolean overlaps(long from, long to) {
            return first <= to && from <= last;
        }

        /** Bytes, 0 when it reaches the end of the file. */
        public long length() {
            return last == END_OF_FILE ? 0 : last - first + 1;
        }
    }

    private final Map<Long, List<RangeLock>> ranges = new HashMap<>();
    private final Map<Long, Map<Owner, Mode>> flocks = new HashMap<>();

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

    /** F_GETLK: a lock of another owner that would block this one, if any. */
    public synchronized Optional<RangeLock> conflict(long inode, Owner owner, Mode mode, long first, long last) {
        for (RangeLock held : ranges.getOrDefault(inode, List.of())) {
            if (!held.owner().equals(owner) && held.overlaps(first, last) && held.mode().conflictsWith(mode)) {
                return Optional.of(held);
            }
        }
        return Optional.empty();
    }

    /**
     * F_SETLK: takes (mode present) or drops (mode empty) the range for the owner. False, and
     * nothing changed, when another owner holds a conflicting lock.
     */
    public synchronized boolean setRange(long inode, Owner owner, Optional<Mode> mode, long first, long last,
            int pid) {
        if (mode.isPresent() && conflict(inode, owner, mode.get(), first, last).isPresent()) {
            return false;
        }
        List<RangeLock> locks = ranges.computeIfAbsent(inode, k -> new ArrayList<>());
        List<RangeLock> kept = new ArrayList<>();
        for (RangeLock held : locks) {
            if (!held.owner().equals(owner) || !held.overlaps(first, last)) {
                kept.add(held);
                continue;
            }
            // The owner's own lock under the new range: keep only the parts outside it.
            if (held.first() < first) {
                kept.add(new RangeLock(owner, held.mode(), held.first(), first - 1, held.pid()));
            }
            if (held.last() > last) {
                kept.add(new RangeLock(owner, held.mode(), last + 1, held.last(), held.pid()));
            }
        }
        mode.ifPresent(m -> kept.add(new RangeLock(owner, m, first, last, pid)));
        List<RangeLock> merged = mergeOwner(kept, owner);
        if (merged.isEmpty()) {
            ranges.remove(inode);
        } else {
            ranges.put(inode, merged);
        }
        return true;
    }

    /** flock(2): takes (mode present) or drops (empty) the owner's whole-file lock; false on conflict. */
    public synchronized boolean flock(long inode, Owner owner, Optional<Mode> mode) {
        Map<Owner, Mode> holders = flocks.computeIfAbsent(inode, k -> new HashMap<>());
        if (mode.isPresent()) {
            for (Map.Entry<Owner, Mode> held : holders.entrySet()) {
                if (!held.getKey().equals(owner) && held.getValue().conflictsWith(mode.get())) {
                    return false;
                }
            }
            holders.put(owner, mode.get());
        } else {
            holders.remove(owner);
        }
        if (holders.isEmpty()) {
            flocks.remove(inode);
        }
        return true;
    }

    /** close(2) by the owner: its POSIX locks and flock lock on the inode go. */
    public synchronized void releaseOwner(long inode, Owner owner) {
        setRange(inode, owner, Optional.empty(), 0, END_OF_FILE, 0);
        flock(inode, owner, Optional.empty());
    }

    /** The session ended or expired: every lock of it goes. Returns how many were dropped. */
    public synchronized int releaseSession(long sessionId) {
        int dropped = 0;
        for (Iterator<List<RangeLock>> it = ranges.values().iterator(); it.hasNext(); ) {
            List<RangeLock> locks = it.next();
            int before = locks.size();
            locks.removeIf(l -> l.owner().sessionId() == sessionId);
            dropped += before - locks.size();
            if (locks.isEmpty()) {
                it.remove();
            }
        }
        for (Iterator<Map<Owner, Mode>> it = flocks.values().iterator(); it.hasNext(); ) {
            Map<Owner, Mode> holders = it.next();
            int before = holders.size();
            holders.keySet().removeIf(o -> o.sessionId() == sessionId);
            dropped += before - holders.size();
            if (holders.isEmpty()) {
                it.remove();
            }
        }
        return dropped;
    }

    /** Leadership changed: nothing held here is valid any more. */
    public synchronized void clear() {
        ranges.clear();
        flocks.clear();
    }

    /** The POSIX locks on an inode, in start order (tests, admin views). */
    public synchronized List<RangeLock> ranges(long inode) {
        List<RangeLock> copy = new ArrayList<>(ranges.getOrDefault(inode, List.of()));
        copy.sort(Comparator.comparingLong(RangeLock::first));
        return copy;
    }

    /** Joins the owner's overlapping or touching locks of the same mode. */
    private static List<RangeLock> mergeOwner(List<RangeLock> locks, Owner owner) {
        List<RangeLock> result = new ArrayList<>();
        List<RangeLock> own = new ArrayList<>();
        for (RangeLock l : locks) {
            (l.owner().equals(owner) ? own : result).add(l);
        }
        own.sort(Comparator.comparingLong(RangeLock::first));
        RangeLock current = null;
        for (RangeLock l : own) {
            if (current != null && current.mode() == l.mode()
                    && (current.last() == END_OF_FILE || l.first() <= current.last() + 1)) {
                current = new RangeLock(owner, current.mode(), current.first(), Math.max(current.last(), l.last()),
                        l.pid());
            } else {
                if (current != null) {
                    result.add(current);
                }
                current = l;
            }
        }
        if (current != null) {
            result.add(current);
        }
        return result;
    }
}
