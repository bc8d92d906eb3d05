package org.mooseng.client;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mooseng.common.locks.LockMode;
import org.mooseng.common.locks.LockRange;
import org.mooseng.common.locks.OwnerRanges;

/**
 * What the master holds for this client's session, per (inode, lock owner): the POSIX ranges,
 * kept with the master's own replace/split/merge rules ({@link OwnerRanges}), and the flock
 * mode. Granted requests and unlocks are applied in the order the master applied them; a
 * close drops the owner's entry. Re-sending every entry to a new leader rebuilds exactly what
 * the old one held.
 *
 * <p>Bounded by the locks the session holds: an entry exists only while its owner holds a range
 * or a flock on the file, and goes with the last unlock, the owner's close, or the session.
 * Thread-safe.
 */
final class LockLedger {
    /** One owner's locks on one file, as re-sent to a new leader. */
    record Held(long inode, long owner, List<LockRange> ranges, Optional<LockMode> flock) {
        /** How many lock requests give these back. */
        int count() {
            return ranges.size() + (flock.isPresent() ? 1 : 0);
        }
    }

    private record Key(long inode, long owner) {
    }

    private static final class Entry {
        final OwnerRanges ranges = new OwnerRanges();
        LockMode flock;

        boolean isEmpty() {
            return ranges.isEmpty() && flock == null;
        }
    }

    /** In the order owners first took a lock, so reclaims go out in a stable order. */
    private final Map<Key, Entry> entries = new LinkedHashMap<>();

    /** A granted F_SETLK: takes (mode present) or drops (empty) [{@code first}, {@code last}]. */
    synchronized void setRange(long inode, long owner, Optional<LockMode> mode, long first, long last, int pid) {
        Key key = new Key(inode, owner);
        Entry entry = mode.isPresent() ? entries.computeIfAbsent(key, k -> new Entry()) : entries.get(key);
        if (entry != null) {
            entry.ranges.set(mode, first, last, pid);
            dropIfEmpty(key, entry);
        }
    }

    /** A granted flock(2): takes (mode present) or drops (empty) the owner's flock. */
    synchronized void setFlock(long inode, long owner, Optional<LockMode> mode) {
        Key key = new Key(inode, owner);
        Entry entry = mode.isPresent() ? entries.computeIfAbsent(key, k -> new Entry()) : entries.get(key);
        if (entry != null) {
            entry.flock = mode.orElse(null);
            dropIfEmpty(key, entry);
        }
    }

    /** close(2) by the owner: its ranges and its flock on the file go, as on the master. */
    synchronized void releaseOwner(long inode, long owner) {
        entries.remove(new Key(inode, owner));
    }

    /** A reclaim was refused: the master does not hold this range (or flock, when {@code range} is empty). */
    synchronized void lost(long inode, long owner, Optional<LockRange> range) {
        range.ifPresentOrElse(r -> setRange(inode, owner, Optional.empty(), r.first(), r.last(), r.pid()),
                () -> setFlock(inode, owner, Optional.empty()));
    }

    /** The session ended on the master and every lock with it; returns how many locks were held. */
    synchronized int clear() {
        int held = size();
        entries.clear();
        return held;
    }

    /** Every owner's locks, for re-sending to a new leader. */
    synchronized List<Held> snapshot() {
        List<Held> all = new ArrayList<>(entries.size());
        entries.forEach((key, entry) -> all.add(new Held(key.inode(), key.owner(), entry.ranges.ranges(),
                Optional.ofNullable(entry.flock))));
        return all;
    }

    synchronized List<LockRange> ranges(long inode, long owner) {
        Entry entry = entries.get(new Key(inode, owner));
        return entry == null ? List.of() : entry.ranges.ranges();
    }

    synchronized Optional<LockMode> flock(long inode, long owner) {
        Entry entry = entries.get(new Key(inode, owner));
        return entry == null ? Optional.empty() : Optional.ofNullable(entry.flock);
    }

    synchronized boolean isEmpty() {
        return entries.isEmpty();
    }

    /** Ranges plus flocks held. */
    synchronized int size() {
        int held = 0;
        for (Entry entry : entries.values()) {
            held += entry.ranges.size() + (entry.flock == null ? 0 : 1);
        }
        return held;
    }

    private void dropIfEmpty(Key key, Entry entry) {
        if (entry.isEmpty()) {
            entries.remove(key);
        }
    }
}
