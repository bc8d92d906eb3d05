package org.mooseng.common.locks;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The POSIX byte-range locks one owner holds on one file, under fcntl's rules for an owner's
 * own locks: a new lock replaces whatever the owner held under its range (splitting locks that
 * reach past it), an unlock cuts its range out, and overlapping or touching locks of one mode
 * merge. The master's lock table and the client's ledger of held locks both keep ranges here,
 * so the two agree byte for byte on what a sequence of requests leaves held; that is what lets
 * a client give a new leader exactly the locks the old one granted.
 *
 * <p>Ranges are kept disjoint and sorted by first byte. Not thread-safe.
 */
public final class OwnerRanges {
    private List<LockRange> ranges = List.of();

    /** Takes (mode present) or drops (mode empty) [{@code first}, {@code last}]. */
    public void set(Optional<LockMode> mode, long first, long last, int pid) {
        LockRange.checkRange(first, last);
        List<LockRange> kept = new ArrayList<>(ranges.size() + 2);
        for (LockRange held : ranges) {
            if (!held.overlaps(first, last)) {
                kept.add(held);
                continue;
            }
            // The part of an own lock outside the new range stays as it was.
            if (held.first() < first) {
                kept.add(new LockRange(held.mode(), held.first(), first - 1, held.pid()));
            }
            if (held.last() > last) {
                kept.add(new LockRange(held.mode(), last + 1, held.last(), held.pid()));
            }
        }
        mode.ifPresent(m -> kept.add(new LockRange(m, first, last, pid)));
        kept.sort(Comparator.comparingLong(LockRange::first));
        ranges = merged(kept);
    }

    /** The first held range that overlaps [{@code first}, {@code last}] and conflicts with {@code mode}. */
    public Optional<LockRange> conflict(LockMode mode, long first, long last) {
        for (LockRange held : ranges) {
            if (held.overlaps(first, last) && held.mode().conflictsWith(mode)) {
                return Optional.of(held);
            }
        }
        return Optional.empty();
    }

    /** Whether every byte of [{@code first}, {@code last}] is already held in {@code mode} or stronger. */
    public boolean covers(LockMode mode, long first, long last) {
        long next = first;
        for (LockRange held : ranges) {
            if (held.last() < next) {
                continue;
            }
            if (held.first() > next || !held.mode().covers(mode)) {
                return false;
            }
            if (held.last() >= last) {
                return true;
            }
            next = held.last() + 1;
        }
        return false;
    }

    /** The held ranges in start order. */
    public List<LockRange> ranges() {
        return ranges;
    }

    public boolean isEmpty() {
        return ranges.isEmpty();
    }

    public int size() {
        return ranges.size();
    }

    /** Joins touching ranges of one mode; {@code sorted} is disjoint and in start order. */
    private static List<LockRange> merged(List<LockRange> sorted) {
        List<LockRange> result = new ArrayList<>(sorted.size());
        LockRange current = null;
        for (LockRange next : sorted) {
            if (current != null && next.first() <= current.last()) {
                throw new IllegalStateException("own lock ranges overlap: " + current + ", " + next);
            }
            if (current != null && current.mode() == next.mode() && current.last() != LockRange.END_OF_FILE
                    && next.first() == current.last() + 1) {
                current = new LockRange(current.mode(), current.first(), next.last(), next.pid());
            } else {
                if (current != null) {
                    result.add(current);
                }
                current = next;
            }
        }
        if (current != null) {
            result.add(current);
        }
        return List.copyOf(result);
    }
}
