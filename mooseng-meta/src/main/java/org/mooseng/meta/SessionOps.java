package org.mooseng.meta;

import java.util.LinkedHashMap;
import java.util.Map;
import org.mooseng.common.Status;
import org.mooseng.common.StatusException;
import org.mooseng.proto.Credentials;
import org.mooseng.proto.FileOpenOp;
import org.mooseng.proto.FileReleaseOp;
import org.mooseng.proto.MetaResult;
import org.mooseng.proto.PurgeRetainedOp;
import org.mooseng.proto.ReleasedOpen;
import org.mooseng.proto.SessionExpireOp;
import org.mooseng.proto.SessionInfo;
import org.mooseng.proto.SessionOpenOp;
import org.mooseng.proto.Timespec;

/**
 * Client sessions and the files open in them. An inode that lost its last name while open
 * stays (nlink 0, listed in the retained family) until its last open goes away here.
 */
final class SessionOps {
    /** Bounds the search for a free id; more sessions than this at once is a broken client. */
    private static final int MAX_ID_PROBES = 1 << 20;

    private SessionOps() {
    }

    static MetaResult.Builder open(ApplyBatch tx, Timespec now, SessionOpenOp op) throws StatusException {
        long id = op.getSessionId();
        if (id < 0) {
            throw new StatusException(Status.EINVAL, "session id " + Long.toUnsignedString(id)
                    + " out of range (at most 2^63-1)");
        }
        if (id == 0) {
            id = freeSessionId(tx);
            tx.setNextSessionId(id + 1);
        }
        var existing = tx.session(id);
        // Re-opening a known id (a client reconnecting after a failover) keeps its opens.
        SessionInfo session = SessionInfo.newBuilder().setSessionId(id).setHost(op.getHost())
                .setMountPoint(op.getMountPoint()).setLeaseMs(op.getLeaseMs())
                .setOpened(existing.map(SessionInfo::getOpened).orElse(now)).build();
        tx.putSession(session);
        return MetaResult.newBuilder().setStatus(0).setSession(session);
    }

    static MetaResult.Builder expire(ApplyBatch tx, SessionExpireOp op) throws StatusException {
        long id = op.getSessionId();
        requireSession(tx, id);
        MetaResult.Builder result = MetaResult.newBuilder().setStatus(0);
        for (Map.Entry<Long, OpenCount> open : tx.opensOf(id)) {
            tx.putOpenCount(id, open.getKey(), OpenCount.NONE);
            deleteIfUnreferenced(tx, open.getKey(), id, result);
        }
        tx.deleteSession(id);
        return result;
    }

    static MetaResult.Builder fileOpen(ApplyBatch tx, Credentials cred, FileOpenOp op) throws StatusException {
        requireSession(tx, op.getSessionId());
        InodeRecord node = tx.requireInode(op.getInode());
        requireOpenAllowed(cred, node, op.getFlags());
        register(tx, op.getSessionId(), node.inode(), op.getFlags());
        return Results.ok(node);
    }

    static MetaResult.Builder fileRelease(ApplyBatch tx, FileReleaseOp op) throws StatusException {
        long sessionId = op.getSessionId();
        requireSession(tx, sessionId);
        // The op's reads see the state before it: releases of one inode are counted together
        // and the inode is considered for deletion once.
        Map<Long, OpenCount> remaining = new LinkedHashMap<>();
        remaining.put(op.getInode(), tx.openCount(sessionId, op.getInode()).minus(op.getFlags()));
        for (ReleasedOpen more : op.getMoreList()) {
            OpenCount before = remaining.get(more.getInode());
            remaining.put(more.getInode(),
                    (before != null ? before : tx.openCount(sessionId, more.getInode())).minus(more.getFlags()));
        }
        MetaResult.Builder result = MetaResult.newBuilder().setStatus(0);
        for (Map.Entry<Long, OpenCount> open : remaining.entrySet()) {
            tx.putOpenCount(sessionId, open.getKey(), open.getValue());
            if (!open.getValue().isOpen()) {
                deleteIfUnreferenced(tx, open.getKey(), sessionId, result);
            }
        }
        return result;
    }

    /**
     * Deletes the listed retained files that no session has open in the log; the leader has
     * checked that none is open in its memory. Inodes that are gone, named again (never: a
     * retained inode has no name to link from) or still open are skipped.
     */
    static MetaResult.Builder purgeRetained(ApplyBatch tx, PurgeRetainedOp op) {
        MetaResult.Builder result = MetaResult.newBuilder().setStatus(0);
        for (long inode : op.getInodesList()) {
            var node = tx.inode(inode);
            if (node.isEmpty() || node.get().nlink() > 0 || node.get().isDirectory() || !tx.isRetained(inode)
                    || tx.openElsewhere(inode, 0)) {
                continue;
            }
            tx.deleteRetained(inode);
            RemoveOps.deleteWithData(tx, node.get(), result);
        }
        return result;
    }

    /** The open(2) permission check: R_OK for reading, W_OK for writing; directories are not opened here. */
    static void requireOpenAllowed(Credentials cred, InodeRecord node, int flags) throws StatusException {
        if (node.isDirectory()) {
            throw new StatusException(Status.EISDIR, "inode " + node.inode() + " is a directory");
        }
        int f = OpenCount.normalizedFlags(flags);
        int mask = ((f & OpenCount.READ) != 0 ? Permissions.R_OK : 0)
                | ((f & OpenCount.WRITE) != 0 ? Permissions.W_OK : 0);
        Permissions.require(cred, node, mask);
    }

    /** Counts one more open; the caller has checked the session and the permission. */
    static void register(ApplyBatch tx, long sessionId, long inode, int flags) {
        tx.putOpenCount(sessionId, inode, tx.openCount(sessionId, inode).plus(flags));
    }

    static void requireSession(ApplyBatch tx, long sessionId) throws StatusException {
        if (sessionId == 0 || tx.session(sessionId).isEmpty()) {
            throw new StatusException(Status.ESTALE, "session " + Long.toUnsignedString(sessionId)
                    + " does not exist (closed or expired)");
        }
    }

    /**
     * Deletes an inode without names once no session but {@code releasingSession} (whose open
     * is being dropped in this op) has it open.
     */
    private static void deleteIfUnreferenced(ApplyBatch tx, long inode, long releasingSession,
            MetaResult.Builder result) {
        var node = tx.inode(inode);
        if (node.isEmpty() || node.get().nlink() > 0 || node.get().isDirectory()
                || tx.openElsewhere(inode, releasingSession) || RemoveOps.keptForPurge(tx, node.get())) {
            return;
        }
        tx.deleteRetained(inode);
        RemoveOps.deleteWithData(tx, node.get(), result);
    }

    private static long freeSessionId(ApplyBatch tx) throws StatusException {
        long id = Math.max(1, tx.nextSessionId());
        for (int probe = 0; probe < MAX_ID_PROBES; probe++, id++) {
            if (tx.session(id).isEmpty()) {
                return id;
            }
        }
        throw new StatusException(Status.ENOSPC, "no free session id after " + MAX_ID_PROBES + " probes");
    }
}
