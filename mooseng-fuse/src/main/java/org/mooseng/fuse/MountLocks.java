package org.mooseng.fuse;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.mooseng.client.LockInfo;
import org.mooseng.client.LockType;
import org.mooseng.client.MoosengClient;
import org.mooseng.client.MoosengException;
import org.mooseng.common.InodeId;
import org.mooseng.common.Status;
import org.mooseng.fuse.ll.FuseOperations.Interruption;
import org.mooseng.fuse.ll.LockRange;
import org.mooseng.fuse.ll.Reply;

/**
 * POSIX (fcntl) and flock locks of the mount, kept by the master in the mount's session, so
 * they hold across mounts and go when the mount's session ends. A blocking request waits
 * here, asking the master again with a backoff, until the lock is free, the kernel
 * interrupts the caller (EINTR) or the mount closes.
 */
final class MountLocks {
    static final int EINTR = 4;
    static final long POLL_MIN_MS = 5;
    static final long POLL_MAX_MS = 500;
    private static final int LOCK_SH = 1;
    private static final int LOCK_EX = 2;
    private static final int LOCK_NB = 4;
    private static final int LOCK_UN = 8;

    private final MoosengClient client;
    /**
     * Owners that took a POSIX lock through this mount, per inode: close(2) must drop them
     * (flush), and knowing who holds none spares that call on every other close.
     */
    private final Map<Long, Set<Long>> posixOwners = new ConcurrentHashMap<>();
    /**
     * Owners holding a flock through this mount, per inode. The kernel sends the release that
     * drops a flock after close(2) has returned, so a LOCK_NB request that conflicts with one
     * of these waits briefly for that release before answering EWOULDBLOCK.
     */
    private final Map<Long, Set<Long>> flockOwners = new ConcurrentHashMap<>();
    private volatile boolean closed;
    static final long RELEASE_GRACE_MS = 200;

    MountLocks(MoosengClient client) {
        this.client = client;
    }

    @FunctionalInterface
    private interface Attempt {
        void run() throws MoosengException;
    }

    Reply getlk(long inode, long owner, LockRange lock) throws MoosengException {
        if (lock.type() == LockRange.F_UNLCK) {
            return new Reply.Lock(LockRange.none());
        }
        LockInfo held = client.getLock(new InodeId(inode), owner, lockType(lock.type()), lock.startBytes(),
                lock.lengthBytes(), lock.pid());
        if (held.type() == LockType.UNLOCK) {
            return new Reply.Lock(LockRange.none());
        }
        return new Reply.Lock(new LockRange(held.type() == LockType.SHARED ? LockRange.F_RDLCK : LockRange.F_WRLCK,
                held.start(), held.length(), held.pid()));
    }

    Reply setlk(long inode, long owner, LockRange lock, boolean sleep, Interruption interrupted) {
        LockType type = lockType(lock.type());
        Attempt attempt = () -> client.setLock(new InodeId(inode), owner, type, lock.startBytes(),
                lock.lengthBytes(), lock.pid());
        Reply reply = sleep && type != LockType.UNLOCK ? waitFor(attempt, interrupted) : once(attempt);
        if (reply.equals(Reply.OK) && type != LockType.UNLOCK) {
            posixOwners.computeIfAbsent(inode, k -> ConcurrentHashMap.newKeySet()).add(owner);
        }
        return reply;
    }

    Reply flock(long inode, long owner, int operation, Interruption interrupted) {
        LockType type;
        if ((operation & LOCK_UN) != 0) {
            type = LockType.UNLOCK;
        } else if ((operation & LOCK_EX) != 0) {
            type = LockType.EXCLUSIVE;
        } else if ((operation & LOCK_SH) != 0) {
            type = LockType.SHARED;
        } else {
            return Reply.error(MoosengFileSystem.EINVAL);
        }
        Attempt attempt = () -> client.flock(new InodeId(inode), owner, type, true);
        boolean blocking = (operation & LOCK_NB) == 0 && type != LockType.UNLOCK;
        Reply reply = blocking ? waitFor(attempt, interrupted) : once(attempt);
        if (!blocking && type != LockType.UNLOCK && reply.equals(Reply.error(Status.EAGAIN.code()))) {
            reply = afterLocalReleases(inode, owner, attempt);
        }
        if (reply.equals(Reply.OK)) {
            if (type == LockType.UNLOCK) {
                forgetFlock(inode, owner);
            } else {
                flockOwners.computeIfAbsent(inode, k -> ConcurrentHashMap.newKeySet()).add(owner);
            }
        }
        return reply;
    }

    /** Retries while another owner of this mount holds a flock on the file, for at most the grace. */
    private Reply afterLocalReleases(long inode, long owner, Attempt attempt) {
        long deadline = System.nanoTime() + RELEASE_GRACE_MS * 1_000_000;
        long pauseMs = POLL_MIN_MS;
        Reply reply = Reply.error(Status.EAGAIN.code());
        while (otherLocalHolder(inode, owner) && System.nanoTime() < deadline && !closed) {
            try {
                Thread.sleep(pauseMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return reply;
            }
            pauseMs = Math.min(POLL_MAX_MS, pauseMs * 2);
            reply = once(attempt);
            if (reply.equals(Reply.OK)) {
                return reply;
            }
        }
        return reply;
    }

    private boolean otherLocalHolder(long inode, long owner) {
        Set<Long> owners = flockOwners.get(inode);
        return owners != null && owners.stream().anyMatch(o -> o != owner);
    }

    private void forgetFlock(long inode, long owner) {
        Set<Long> owners = flockOwners.get(inode);
        if (owners != null) {
            owners.remove(owner);
            flockOwners.computeIfPresent(inode, (k, set) -> set.isEmpty() ? null : set);
        }
    }

    /** close(2) of any descriptor drops the process's POSIX locks on the file (not its flocks). */
    void closed(long inode, long owner) throws MoosengException {
        Set<Long> owners = posixOwners.get(inode);
        if (owners == null || !owners.remove(owner)) {
            return;
        }
        posixOwners.computeIfPresent(inode, (k, set) -> set.isEmpty() ? null : set);
        client.setLock(new InodeId(inode), owner, LockType.UNLOCK, 0, 0, 0);
    }

    /** The last close of a descriptor that held a flock. */
    void flockReleased(long inode, long owner) throws MoosengException {
        try {
            client.flock(new InodeId(inode), owner, LockType.UNLOCK, true);
        } finally {
            forgetFlock(inode, owner);
        }
    }

    /** Ends every wait: the mount is going away (its session, and with it every lock, ends next). */
    void close() {
        closed = true;
    }

    private static Reply once(Attempt attempt) {
        try {
            attempt.run();
            return Reply.OK;
        } catch (MoosengException e) {
            return Reply.error(e.errno());
        }
    }

    private Reply waitFor(Attempt attempt, Interruption interrupted) {
        long pauseMs = POLL_MIN_MS;
        while (true) {
            try {
                attempt.run();
                return Reply.OK;
            } catch (MoosengException e) {
                if (e.status() != Status.EAGAIN) {
                    return Reply.error(e.errno());
                }
            }
            if (interrupted.interrupted() || closed) {
                return Reply.error(EINTR);
            }
            try {
                Thread.sleep(pauseMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Reply.error(EINTR);
            }
            pauseMs = Math.min(POLL_MAX_MS, pauseMs * 2);
        }
    }

    private static LockType lockType(int fcntlType) {
        return switch (fcntlType) {
            case LockRange.F_RDLCK -> LockType.SHARED;
            case LockRange.F_WRLCK -> LockType.EXCLUSIVE;
            default -> LockType.UNLOCK;
        };
    }
}
