package org.mooseng.master.sessions;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.mooseng.common.locks.LockMode;
import org.mooseng.common.locks.LockRange;
import org.mooseng.common.locks.OwnerRanges;

/**
 * File locks held by the leader: POSIX byte-range locks (fcntl) and whole-file flock locks,
 * kept apart as Linux does. Soft state: not replicated, so a lock call costs no log commit.
 *
 * <p>A master that becomes leader starts empty, in a <em>grace period</em>: clients give back
 * the locks the previous leader granted them (reclaims), and no other lock is taken or
 * upgraded until the period ends, so nobody can take a lock whose holder has not reclaimed it
 * yet. Unlocks always apply. After the grace period a reclaim is an ordinary request. When the
 * table knows which sessions may hold locks of an earlier leader, the period ends early once
 * each of them has said it has given them all back (reclaim complete) or has ended; a session
 * that says nothing keeps it to its full length.
 *
 * <p>Locks of one owner never conflict with each other: a new lock of an owner replaces the
 * owner's locks on the range (see {@link OwnerRanges}). Pure logic: time comes in as an
 * argument, no threads; methods are synchronized because gRPC calls arrive on many threads.
 */
public final class LockTable {
    /** Who holds a lock: a session and the lock owner id the client gave (one per process or open file). */
    public record Owner(long sessionId, long lockOwner) {
        @Override
        public String toString() {
            return "session " + Long.toUnsignedString(sessionId) + " owner " + Long.toUnsignedString(lockOwner);
        }
    }

    /** A POSIX lock with its holder, as F_GETLK reports it. */
    public record RangeLock(Owner owner, LockMode mode, long first, long last, int pid) {
        public RangeLock {
            if (mode == null || first < 0 || last < first) {
                throw new IllegalArgumentException("bad lock " + mode + " [" + first + ", " + last + "]");
            }
        }

        /** Bytes, 0 when it reaches the end of the file. */
        public long length() {
            return last == LockRange.END_OF_FILE ? 0 : last - first + 1;
        }
    }

    /** What a request to take, change or drop a lock came to, in the term it was decided in. */
    public sealed interface Outcome {
        /** The leader term the table was in; 0 when this master does not lead. */
        long term();
    }

    /** Done. */
    public record Granted(long term) implements Outcome {
    }

    /** Another owner holds a conflicting lock; nothing changed. */
    public record Conflict(long term, Owner holder) implements Outcome {
    }

    /** A new or stronger lock asked for while holders may still reclaim theirs; nothing changed. */
    public record InGrace(long term, long remainingMs) implements Outcome {
    }

    /** This master does not lead (or has not been told its term yet); nothing changed. */
    public record NotLeading() implements Outcome {
        @Override
        public long term() {
            return 0;
        }
    }

    /**
     * The grace period of {@code term} ended {@code shortenedByMs} before its time: of the
     * sessions it waited for, {@code reclaimed} said they had given their locks back and
     * {@code ended} closed or expired.
     */
    public record EarlyGraceEnd(long term, long shortenedByMs, int reclaimed, int ended) {
    }

    private final Map<Long, Map<Owner, OwnerRanges>> ranges = new HashMap<>();
    private final Map<Long, Map<Owner, LockMode>> flocks = new HashMap<>();
    /** The leader term the locks belong to; 0 = not leading. */
    private long term;
    private long graceEndsAtMs;
    /**
     * Sessions that may still reclaim locks in this term's grace period; null when not known,
     * and the period then runs its full length.
     */
    private Set<Long> awaitedSessions;
    private int sessionsReclaimed;
    private int sessionsEnded;

    /**
     * This master leads {@code term} from now on: every lock goes, reclaims are taken until
     * {@code graceEndsAtMs}, however soon their holders are done.
     */
    public synchronized void startTerm(long term, long graceEndsAtMs) {
        if (term <= 0) {
            throw new IllegalArgumentException("leader term must be positive: " + term);
        }
        clear();
        this.term = term;
        this.graceEndsAtMs = graceEndsAtMs;
        this.awaitedSessions = null;
        this.sessionsReclaimed = 0;
        this.sessionsEnded = 0;
    }

    /**
     * As {@link #startTerm(long, long)}, and the grace period ends as soon as each of
     * {@code sessions} (every session that may hold a lock an earlier leader granted) has said
     * it has reclaimed (see {@link #reclaimComplete}) or has ended: with none, there is no grace
     * period at all.
     */
    public synchronized void startTerm(long term, long graceEndsAtMs, Collection<Long> sessions) {
        startTerm(term, sessions.isEmpty() ? 0 : graceEndsAtMs);
        this.awaitedSessions = new HashSet<>(sessions);
    }

    /** This master no longer leads: every lock goes, and every request is refused until the next term. */
    public synchronized void endTerm() {
        clear();
        term = 0;
        graceEndsAtMs = 0;
        awaitedSessions = null;
    }

    /**
     * The session has given back every lock earlier leaders granted it to the leader of
     * {@code reclaimedTerm} (ignored for another term than this table's: those reclaims went to
     * another leader). Returns how the grace period ended when this was the last session it
     * waited for.
     */
    public synchronized Optional<EarlyGraceEnd> reclaimComplete(long sessionId, long reclaimedTerm, long nowMs) {
        if (reclaimedTerm != term || !inGrace(nowMs) || awaitedSessions == null
                || !awaitedSessions.remove(sessionId)) {
            return Optional.empty();
        }
        sessionsReclaimed++;
        return endGraceIfNoneAwaited(nowMs);
    }

    /**
     * The session closed or expired: it has nothing left to reclaim. Returns how the grace
     * period ended when this was the last session it waited for. Its locks go with
     * {@link #releaseSession}.
     */
    public synchronized Optional<EarlyGraceEnd> sessionEnded(long sessionId, long nowMs) {
        if (!inGrace(nowMs) || awaitedSessions == null || !awaitedSessions.remove(sessionId)) {
            return Optional.empty();
        }
        sessionsEnded++;
        return endGraceIfNoneAwaited(nowMs);
    }

    private Optional<EarlyGraceEnd> endGraceIfNoneAwaited(long nowMs) {
        if (!awaitedSessions.isEmpty()) {
            return Optional.empty();
        }
        EarlyGraceEnd end = new EarlyGraceEnd(term, graceEndsAtMs - nowMs, sessionsReclaimed, sessionsEnded);
        graceEndsAtMs = nowMs;
        return Optional.of(end);
    }

    /** The leader term the table belongs to, 0 when not leading. */
    public synchronized long term() {
        return term;
    }

    public synchronized boolean inGrace(long nowMs) {
        return term != 0 && nowMs < graceEndsAtMs;
    }

    /** F_GETLK: a lock of another owner that would block this one, if any (the lowest such range). */
    public synchronized Optional<RangeLock> conflict(long inode, Owner owner, LockMode mode, long first, long last) {
        RangeLock found = null;
        for (Map.Entry<Owner, OwnerRanges> held : ranges.getOrDefault(inode, Map.of()).entrySet()) {
            if (held.getKey().equals(owner)) {
                continue;
            }
            Optional<LockRange> hit = held.getValue().conflict(mode, first, last);
            if (hit.isPresent() && (found == null || hit.get().first() < found.first())) {
                LockRange r = hit.get();
                found = new RangeLock(held.getKey(), r.mode(), r.first(), r.last(), r.pid());
            }
        }
        return Optional.ofNullable(found);
    }

    /**
     * F_SETLK: takes (mode present) or drops (mode empty) the range for the owner. A
     * {@code reclaim} gives back a lock an earlier leader granted.
     */
    public synchronized Outcome setRange(long inode, Owner owner, Optional<LockMode> mode, long first, long last,
            int pid, boolean reclaim, long nowMs) {
        if (term == 0) {
            return new NotLeading();
        }
        if (mode.isPresent()) {
            if (!reclaim && inGrace(nowMs) && !ownRanges(inode, owner).covers(mode.get(), first, last)) {
                return new InGrace(term, graceEndsAtMs - nowMs);
            }
            Optional<RangeLock> held = conflict(inode, owner, mode.get(), first, last);
            if (held.isPresent()) {
                return new Conflict(term, held.get().owner());
            }
        }
        Map<Owner, OwnerRanges> owners = ranges.computeIfAbsent(inode, k -> new HashMap<>());
        OwnerRanges own = owners.computeIfAbsent(owner, k -> new OwnerRanges());
        own.set(mode, first, last, pid);
        if (own.isEmpty()) {
            owners.remove(owner);
            if (owners.isEmpty()) {
                ranges.remove(inode);
            }
        }
        return new Granted(term);
    }

    /** flock(2): takes (mode present) or drops (empty) the owner's whole-file lock; see {@link #setRange}. */
    public synchronized Outcome flock(long inode, Owner owner, Optional<LockMode> mode, boolean reclaim, long nowMs) {
        if (term == 0) {
            return new NotLeading();
        }
        Map<Owner, LockMode> holders = flocks.computeIfAbsent(inode, k -> new HashMap<>());
        if (mode.isPresent()) {
            LockMode own = holders.get(owner);
            if (!reclaim && inGrace(nowMs) && (own == null || !own.covers(mode.get()))) {
                dropIfEmpty(inode, holders);
                return new InGrace(term, graceEndsAtMs - nowMs);
            }
            for (Map.Entry<Owner, LockMode> held : holders.entrySet()) {
                if (!held.getKey().equals(owner) && held.getValue().conflictsWith(mode.get())) {
                    return new Conflict(term, held.getKey());
                }
            }
            holders.put(owner, mode.get());
        } else {
            holders.remove(owner);
        }
        dropIfEmpty(inode, holders);
        return new Granted(term);
    }

    /** close(2) by the owner: its POSIX locks and flock lock on the inode go. */
    public synchronized void releaseOwner(long inode, Owner owner) {
        Map<Owner, OwnerRanges> owners = ranges.get(inode);
        if (owners != null && owners.remove(owner) != null && owners.isEmpty()) {
            ranges.remove(inode);
        }
        Map<Owner, LockMode> holders = flocks.get(inode);
        if (holders != null && holders.remove(owner) != null) {
            dropIfEmpty(inode, holders);
        }
    }

    /** The session ended or expired: every lock of it goes. Returns how many were dropped. */
    public synchronized int releaseSession(long sessionId) {
        int dropped = 0;
        for (Iterator<Map<Owner, OwnerRanges>> it = ranges.values().iterator(); it.hasNext(); ) {
            Map<Owner, OwnerRanges> owners = it.next();
            for (Iterator<Map.Entry<Owner, OwnerRanges>> own = owners.entrySet().iterator(); own.hasNext(); ) {
                Map.Entry<Owner, OwnerRanges> entry = own.next();
                if (entry.getKey().sessionId() == sessionId) {
                    dropped += entry.getValue().size();
                    own.remove();
                }
            }
            if (owners.isEmpty()) {
                it.remove();
            }
        }
        for (Iterator<Map<Owner, LockMode>> it = flocks.values().iterator(); it.hasNext(); ) {
            Map<Owner, LockMode> holders = it.next();
            int before = holders.size();
            holders.keySet().removeIf(o -> o.sessionId() == sessionId);
            dropped += before - holders.size();
            if (holders.isEmpty()) {
                it.remove();
            }
        }
        return dropped;
    }

    /** The POSIX locks on an inode, in start order (tests, admin views). */
    public synchronized List<RangeLock> ranges(long inode) {
        List<RangeLock> all = new ArrayList<>();
        ranges.getOrDefault(inode, Map.of()).forEach((owner, own) -> own.ranges().forEach(r ->
                all.add(new RangeLock(owner, r.mode(), r.first(), r.last(), r.pid()))));
        all.sort(Comparator.comparingLong(RangeLock::first));
        return all;
    }

    private OwnerRanges ownRanges(long inode, Owner owner) {
        return ranges.getOrDefault(inode, Map.of()).getOrDefault(owner, new OwnerRanges());
    }

    private void dropIfEmpty(long inode, Map<Owner, LockMode> holders) {
        if (holders.isEmpty()) {
            flocks.remove(inode);
        }
    }

    private void clear() {
        ranges.clear();
        flocks.clear();
    }
}
