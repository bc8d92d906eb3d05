package org.mooseng.meta;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.mooseng.common.Layout;
import org.mooseng.common.Relatime;
import org.mooseng.common.Status;
import org.mooseng.common.StatusException;
import org.mooseng.proto.AccessTimesOp;
import org.mooseng.proto.Credentials;
import org.mooseng.proto.MetaResult;
import org.mooseng.proto.RemoveXattrOp;
import org.mooseng.proto.SetAttrOp;
import org.mooseng.proto.SetGoalOp;
import org.mooseng.proto.SetXattrOp;
import org.mooseng.proto.Timespec;

/** Ops that change attributes of one inode: setattr, xattrs and the goal. */
final class AttrOps {
    static final int XATTR_CREATE = 1;
    static final int XATTR_REPLACE = 2;
    static final int MAX_XATTR_VALUE_BYTES = 64 << 10;
    static final int MIN_GOAL = 1;
    static final int MAX_GOAL = 9;

    private static final int SET_MODE = SetAttrOp.Field.SET_MODE_VALUE;
    private static final int SET_UID = SetAttrOp.Field.SET_UID_VALUE;
    private static final int SET_GID = SetAttrOp.Field.SET_GID_VALUE;
    private static final int SET_SIZE = SetAttrOp.Field.SET_SIZE_VALUE;
    private static final int SET_ATIME = SetAttrOp.Field.SET_ATIME_VALUE;
    private static final int SET_MTIME = SetAttrOp.Field.SET_MTIME_VALUE;
    private static final int SET_ATIME_NOW = SetAttrOp.Field.SET_ATIME_NOW_VALUE;
    private static final int SET_MTIME_NOW = SetAttrOp.Field.SET_MTIME_NOW_VALUE;
    private static final int ACCESSED = SetAttrOp.Field.ACCESSED_VALUE;

    private AttrOps() {
    }

    static MetaResult.Builder setAttr(ApplyBatch tx, Credentials cred, Timespec now, SetAttrOp op)
            throws StatusException {
        InodeRecord node = tx.requireInode(op.getInode());
        int valid = op.getValid();
        if (has(valid, ACCESSED)) {
            return accessed(tx, cred, now, node, valid);
        }
        checkSetAttrAllowed(tx, cred, node, op, valid);
        boolean root = Permissions.isRoot(cred);
        int uid = has(valid, SET_UID) ? op.getUid() : node.uid();
        int gid = has(valid, SET_GID) ? op.getGid() : node.gid();
        int mode = node.mode();
        if ((has(valid, SET_UID) || has(valid, SET_GID)) && !root && node.isRegular()) {
            // A chown by an ordinary user must not hand out setuid/setgid programs.
            mode &= ~(InodeRecord.S_ISUID | InodeRecord.S_ISGID);
        }
        if (has(valid, SET_MODE)) {
            mode = op.getMode() & InodeRecord.PERMISSION_BITS;
            if (!root && !Permissions.inGroup(cred, gid)) {
                mode &= ~InodeRecord.S_ISGID;
            }
        }
        InodeRecord updated = node.withOwner(uid, gid).withMode(mode);
        if (has(valid, SET_ATIME)) {
            updated = updated.withAtime(op.getAtime());
        }
        if (has(valid, SET_ATIME_NOW)) {
            updated = updated.withAtime(now);
        }
        if (has(valid, SET_MTIME)) {
            updated = updated.withMtime(op.getMtime());
        }
        if (has(valid, SET_MTIME_NOW)) {
            updated = updated.withMtime(now);
        }
        updated = updated.withCtime(now);
        MetaResult.Builder result = MetaResult.newBuilder().setStatus(0);
        if (has(valid, SET_SIZE)) {
            updated = ChunkOps.truncate(tx, updated, op.getSize(), op.getCutChainList(), now, result);
        }
        tx.putInode(updated);
        return result.setAttr(updated.toAttr());
    }

    /**
     * Batched accesses: each inode's atime moves to now where the rule allows, nothing else
     * changes. Inodes gone or unreadable by the caller are skipped, so one stale inode does not
     * cost the others their update.
     */
    static MetaResult.Builder accessTimes(ApplyBatch tx, Credentials cred, Timespec now, AccessTimesOp op) {
        for (long inode : op.getInodesList()) {
            var found = tx.inode(inode);
            if (found.isEmpty() || !Permissions.allows(cred, found.get(), Permissions.R_OK)) {
                continue;
            }
            InodeRecord node = found.get();
            if (node.atime().equals(now) || (op.getRelatime() && !Relatime.due(instant(node.atime()),
                    instant(node.mtime()), instant(node.ctime()), instant(now)))) {
                continue;
            }
            tx.putInode(node.withAtime(now));
        }
        return MetaResult.newBuilder().setStatus(0);
    }

    private static Instant instant(Timespec t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }

    /** An access: atime moves to now, nothing else changes (not even ctime). */
    private static MetaResult.Builder accessed(ApplyBatch tx, Credentials cred, Timespec now, InodeRecord node, int valid)
            throws StatusException {
        if (valid != ACCESSED) {
            throw new StatusException(Status.EINVAL, "inode " + node.inode()
                    + ": an access update goes alone, not with other setattr fields");
        }
        Permissions.require(cred, node, Permissions.R_OK);
        InodeRecord updated = node.withAtime(now);
        tx.putInode(updated);
        return MetaResult.newBuilder().setStatus(0).setAttr(updated.toAttr());
    }

    /** Every permission rule of setattr, checked before anything changes. */
    private static void checkSetAttrAllowed(ApplyBatch tx, Credentials cred, InodeRecord node, SetAttrOp op,
            int valid)
            throws StatusException {
        boolean root = Permissions.isRoot(cred);
        boolean owner = Permissions.isOwner(cred, node);
        String who = "inode " + node.inode() + ": uid " + Integer.toUnsignedString(cred.getUid());
        if (has(valid, SET_UID) && !root && !(owner && op.getUid() == node.uid())) {
            throw new StatusException(Status.EPERM, who + " may not change the owner");
        }
        if (has(valid, SET_GID) && !root
                && !(owner && (op.getGid() == node.gid() || Permissions.inGroup(cred, op.getGid())))) {
            throw new StatusException(Status.EPERM, who + " may not change the group to "
                    + Integer.toUnsignedString(op.getGid()));
        }
        if (has(valid, SET_MODE) && !root && !owner) {
            throw new StatusException(Status.EPERM, who + " may not change the mode");
        }
        if ((has(valid, SET_ATIME) || has(valid, SET_MTIME)) && !root && !owner) {
            throw new StatusException(Status.EPERM, who + " may not set explicit times");
        }
        if ((has(valid, SET_ATIME_NOW) || has(valid, SET_MTIME_NOW)) && !root && !owner
                && !Permissions.allows(cred, node, Permissions.W_OK)) {
            throw new StatusException(Status.EACCES, who + " may not touch the times");
        }
        if (has(valid, SET_SIZE)) {
            if (node.isDirectory()) {
                throw new StatusException(Status.EISDIR, "inode " + node.inode() + " is a directory");
            }
            if (!node.isRegular()) {
                throw new StatusException(Status.EINVAL, "inode " + node.inode() + " is not a regular file");
            }
            // ftruncate(2) on a descriptor open for writing: the permission was checked at open.
            boolean openForWriting = op.getSessionId() != 0
                    && tx.openCount(op.getSessionId(), node.inode()).writable();
            if (!openForWriting) {
                Permissions.require(cred, node, Permissions.W_OK);
            }
        }
    }

    static MetaResult.Builder setXattr(ApplyBatch tx, Credentials cred, Timespec now, SetXattrOp op)
            throws StatusException {
        InodeRecord node = tx.requireInode(op.getInode());
        String name = op.getName();
        requireXattrName(name);
        if (op.getValue().size() > MAX_XATTR_VALUE_BYTES) {
            // E2BIG is not a wire status; ERANGE is what a too-large value gets.
            throw new StatusException(Status.ERANGE, "inode " + node.inode() + ": xattr value of "
                    + op.getValue().size() + " bytes is larger than " + MAX_XATTR_VALUE_BYTES);
        }
        int flags = op.getFlags();
        if ((flags & ~(XATTR_CREATE | XATTR_REPLACE)) != 0 || flags == (XATTR_CREATE | XATTR_REPLACE)) {
            throw new StatusException(Status.EINVAL, "unsupported xattr flags " + flags);
        }
        Permissions.require(cred, node, Permissions.W_OK);
        boolean exists = tx.xattr(node.inode(), name).isPresent();
        if (exists && (flags & XATTR_CREATE) != 0) {
            throw new StatusException(Status.EEXIST, "inode " + node.inode() + ": xattr '" + name + "' exists");
        }
        if (!exists && (flags & XATTR_REPLACE) != 0) {
            throw new StatusException(Status.ENODATA, "inode " + node.inode() + ": no xattr '" + name + "'");
        }
        tx.putXattr(node.inode(), name, op.getValue().toByteArray());
        InodeRecord updated = node.withCtime(now);
        tx.putInode(updated);
        return Results.ok(updated);
    }

    static MetaResult.Builder removeXattr(ApplyBatch tx, Credentials cred, Timespec now, RemoveXattrOp op)
            throws StatusException {
        InodeRecord node = tx.requireInode(op.getInode());
        requireXattrName(op.getName());
        Permissions.require(cred, node, Permissions.W_OK);
        if (tx.xattr(node.inode(), op.getName()).isEmpty()) {
            throw new StatusException(Status.ENODATA, "inode " + node.inode() + ": no xattr '" + op.getName()
                    + "'");
        }
        tx.deleteXattr(node.inode(), op.getName());
        InodeRecord updated = node.withCtime(now);
        tx.putInode(updated);
        return Results.ok(updated);
    }

    static void requireXattrName(String name) throws StatusException {
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes == 0 || bytes > Layout.MAX_NAME_BYTES) {
            throw new StatusException(Status.ERANGE, "xattr name of " + bytes + " bytes (1.."
                    + Layout.MAX_NAME_BYTES + ")");
        }
    }

    /**
     * Sets the goal of one inode or, recursively, of a subtree. A recursive walk by an ordinary
     * user changes only the inodes that user owns, like MooseFS's mfssetgoal -r.
     */
    static MetaResult.Builder setGoal(ApplyBatch tx, Credentials cred, SetGoalOp op) throws StatusException {
        int goal = op.getGoal();
        if (goal < MIN_GOAL || goal > MAX_GOAL) {
            throw new StatusException(Status.EINVAL, "goal " + Integer.toUnsignedString(goal) + " outside "
                    + MIN_GOAL + ".." + MAX_GOAL);
        }
        InodeRecord node = tx.requireInode(op.getInode());
        if (!Permissions.isOwnerOrRoot(cred, node)) {
            throw new StatusException(Status.EPERM, "inode " + node.inode() + ": only the owner may set the goal");
        }
        InodeRecord updated = node.withGoal(goal);
        tx.putInode(updated);
        if (op.getRecursive() && node.isDirectory()) {
            Deque<Long> pending = new ArrayDeque<>();
            pending.add(node.inode());
            while (!pending.isEmpty()) {
                long dir = pending.poll();
                List<Long> children = new ArrayList<>();
                tx.forEachCommittedEntry(dir, entry -> children.add(entry.getInode()));
                for (long childId : children) {
                    InodeRecord child = tx.requireInode(childId);
                    if (child.isDirectory()) {
                        pending.add(childId);
                    }
                    if (Permissions.isOwnerOrRoot(cred, child) && child.goal() != goal) {
                        tx.putInode(child.withGoal(goal));
                    }
                }
            }
        }
        return Results.ok(updated);
    }

    private static boolean has(int valid, int field) {
        return (valid & field) != 0;
    }
}
