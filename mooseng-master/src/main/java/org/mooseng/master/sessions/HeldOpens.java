package org.mooseng.master.sessions;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Read-only opens the leader holds in memory instead of in the log: per session, how many
 * handles it has open on each inode. A file that lost its last name stays (retained) while any
 * session holds it here or in the log; the leader's purge deletes it once neither does. Like
 * {@link LockTable} this is soft state of one term: a new leader starts empty and clients give
 * their opens back during the lock grace period, in which nothing is purged.
 *
 * <p>Callers that must see a check of the namespace and a change here as one step (an open of
 * a file that still has a name, against the purge of files without one) synchronize on the
 * table; every method also does.
 */
public final class HeldOpens {
    private final Map<Long, Map<Long, Integer>> bySession = new HashMap<>();
    private final Map<Long, Integer> byInode = new HashMap<>();

    /** One more handle of the session open on the inode. */
    public synchronized void add(long sessionId, long inode) {
        bySession.computeIfAbsent(sessionId, s -> new HashMap<>()).merge(inode, 1, Integer::sum);
        byInode.merge(inode, 1, Integer::sum);
    }

    /** One handle fewer; a release of what is not held (a resent or late release) changes nothing. */
    public synchronized void release(long sessionId, long inode) {
        Map<Long, Integer> opens = bySession.get(sessionId);
        if (opens == null || !opens.containsKey(inode)) {
            return;
        }
        opens.computeIfPresent(inode, (i, count) -> count > 1 ? count - 1 : null);
        if (opens.isEmpty()) {
            bySession.remove(sessionId);
        }
        byInode.computeIfPresent(inode, (i, count) -> count > 1 ? count - 1 : null);
    }

    /** The session's opens become exactly {@code counts} (a client giving its opens back to a new leader). */
    public synchronized void replace(long sessionId, Map<Long, Integer> counts) {
        dropSession(sessionId);
        counts.forEach((inode, count) -> {
            if (count > 0) {
                bySession.computeIfAbsent(sessionId, s -> new HashMap<>()).put(inode, count);
                byInode.merge(inode, count, Integer::sum);
            }
        });
    }

    /** Forgets the session's opens (it ended); returns how many handles it had. */
    public synchronized int dropSession(long sessionId) {
        Map<Long, Integer> opens = bySession.remove(sessionId);
        if (opens == null) {
            return 0;
        }
        int handles = 0;
        for (Map.Entry<Long, Integer> open : opens.entrySet()) {
            handles += open.getValue();
            byInode.computeIfPresent(open.getKey(), (i, count) -> count > open.getValue() ? count - open.getValue()
                    : null);
        }
        return handles;
    }

    /** Whether any session holds the inode open here. */
    public synchronized boolean isHeld(long inode) {
        return byInode.containsKey(inode);
    }

    /** The inodes the session holds open here. */
    public synchronized Set<Long> inodes(long sessionId) {
        return Set.copyOf(bySession.getOrDefault(sessionId, Map.of()).keySet());
    }

    /** Leadership changed: the opens of the old term are void. */
    public synchronized void clear() {
        bySession.clear();
        byInode.clear();
    }
}
