package org.mooseng.meta;

import java.util.Optional;
import org.mooseng.common.Status;
import org.mooseng.common.StatusException;
import org.mooseng.proto.Credentials;
import org.mooseng.proto.MetaResult;
import org.mooseng.proto.Timespec;
import org.mooseng.proto.UnlinkOp;

/** unlink and rmdir, and the release of an inode that lost its last name (shared with rename). */
final class RemoveOps {
    private RemoveOps() {
    }

    static MetaResult.Builder unlink(ApplyBatch tx, Credentials cred, Timespec now, UnlinkOp op)
            throws StatusException {
        String name = op.getName();
        Names.requireLookupable(name);
        if (Names.isDotOrDotDot(name)) {
            if (!op.getIsDir()) {
                throw new StatusException(Status.EISDIR, "cannot unlink '" + name + "'");
            }
            throw new StatusException(name.equals(".") ? Status.EINVAL : Status.ENOTEMPTY,
                    "cannot remove '" + name + "'");
        }
        InodeRecord parent = tx.requireDirectory(op.getParent());
        Permissions.require(cred, parent, Permissions.X_OK);
        EntryRecord entry = tx.entry(parent.inode(), name).orElseThrow(() -> new StatusException(Status.ENOENT,
                "inode " + op.getParent() + ": no entry '" + name + "'"));
        InodeRecord child = tx.requireInode(entry.inode());
        if (op.getIsDir() && !child.isDirectory()) {
            throw new StatusException(Status.ENOTDIR, "inode " + child.inode() + " is not a directory");
        }
        if (!op.getIsDir() && child.isDirectory()) {
            throw new StatusException(Status.EISDIR, "inode " + child.inode() + " is a directory");
        }
        Permissions.require(cred, parent, Permissions.W_OK | Permissions.X_OK);
        Permissions.requireStickyAllows(cred, parent, child);
        if (child.isDirectory() && child.entryCount() > 0) {
            throw new StatusException(Status.ENOTEMPTY, "inode " + child.inode() + " has " + child.entryCount()
                    + " entries");
        }
        MetaResult.Builder result = MetaResult.newBuilder().setStatus(0);
        InodeRecord updatedParent = tx.removeEntry(parent.inode(), name).touched(now);
        if (child.isDirectory()) {
            updatedParent = updatedParent.withNlink(updatedParent.nlink() - 1);
        }
        tx.putInode(updatedParent);
        result.setParentAttr(updatedParent.toAttr());
        Optional<InodeRecord> remaining = dropName(tx, child, now, result);
        result.setAttr(remaining.orElse(child.withNlink(0).withCtime(now)).toAttr());
        return result;
    }

    /**
     * The inode lost one name. A directory, or a non-directory's last link, is deleted with its
     * xattrs, symlink target and chunks (whose ids go to the result's released_chunks), unless
     * a session has it open: then it stays with nlink 0 until released. A regular file of an op
     * that keeps unnamed files also stays, open or not, for the leader's PurgeRetainedOp (the
     * leader may hold opens of it that are not in the log). Otherwise its link count drops and
     * its ctime moves.
     */
    static Optional<InodeRecord> dropName(ApplyBatch tx, InodeRecord child, Timespec now,
            MetaResult.Builder result) {
        if (!child.isDirectory() && child.nlink() > 1) {
            InodeRecord updated = child.withNlink(child.nlink() - 1).withCtime(now);
            tx.putInode(updated);
            return Optional.of(updated);
        }
        if (!child.isDirectory() && (tx.openElsewhere(child.inode(), 0) || keptForPurge(tx, child))) {
            // Open in some session: the inode and its chunks stay until the last release.
            InodeRecord retained = child.withNlink(0).withCtime(now);
            tx.putInode(retained);
            tx.putRetained(child.inode());
            return Optional.of(retained);
        }
        deleteWithData(tx, child, result);
        return Optional.empty();
    }

    /** Whether the op leaves this unnamed inode to the leader's PurgeRetainedOp instead of deleting it now. */
    static boolean keptForPurge(ApplyBatch tx, InodeRecord node) {
        return tx.keepsUnnamedFiles() && node.isRegular();
    }

    /** Deletes the inode with its xattrs, symlink target and chunks (reported as released). */
    static void deleteWithData(ApplyBatch tx, InodeRecord child, MetaResult.Builder result) {
        long id = child.inode();
        tx.deleteInode(id);
        tx.deleteXattrs(id);
        switch (child.type()) {
            case REGULAR -> {
                tx.deleteChunksFrom(id, 0, result::addReleasedChunks);
                tx.setCounters(tx.counters().plusStats(-1, -1, 0, 0, -child.sizeBytes()));
            }
            case DIRECTORY -> tx.setCounters(tx.counters().plusStats(-1, 0, -1, 0, 0));
            case SYMLINK -> {
                tx.deleteSymlink(id);
                tx.setCounters(tx.counters().plusStats(-1, 0, 0, 0, 0));
            }
            case FIFO, SOCKET, BLOCK_DEVICE, CHAR_DEVICE, FILE_TYPE_UNSPECIFIED, UNRECOGNIZED ->
                    tx.setCounters(tx.counters().plusStats(-1, 0, 0, 0, 0));
        }
    }
}
