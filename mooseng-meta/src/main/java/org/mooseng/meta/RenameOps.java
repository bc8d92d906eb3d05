package org.mooseng.meta;

import java.util.Optional;
import org.mooseng.common.InodeId;
import org.mooseng.common.Status;
import org.mooseng.common.StatusException;
import org.mooseng.proto.Credentials;
import org.mooseng.proto.MetaResult;
import org.mooseng.proto.RenameOp;
import org.mooseng.proto.Timespec;

/** rename(2) and renameat2(2) with RENAME_NOREPLACE and RENAME_EXCHANGE, atomic as one batch. */
final class RenameOps {
    static final int RENAME_NOREPLACE = 1;
    static final int RENAME_EXCHANGE = 2;
    /** Deeper than any real tree; reaching it means the parent chain has a cycle. */
    private static final int MAX_DEPTH = 1 << 20;

    private RenameOps() {
    }

    static MetaResult.Builder rename(ApplyBatch tx, Credentials cred, Timespec now, RenameOp op)
            throws StatusException {
        int flags = op.getFlags();
        if ((flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE)) != 0
                || flags == (RENAME_NOREPLACE | RENAME_EXCHANGE)) {
            throw new StatusException(Status.EINVAL, "unsupported rename flags " + flags);
        }
        String name = op.getName();
        String newName = op.getNewName();
        Names.requireLookupable(name);
        if (Names.isDotOrDotDot(name)) {
            throw new StatusException(Status.EINVAL, "cannot rename '" + name + "'");
        }
        Names.requireCreatable(newName);
        InodeRecord srcDir = tx.requireDirectory(op.getParent());
        Permissions.require(cred, srcDir, Permissions.X_OK);
        InodeRecord dstDir = tx.requireDirectory(op.getNewParent());
        Permissions.require(cred, dstDir, Permissions.X_OK);
        EntryRecord srcEntry = tx.entry(srcDir.inode(), name).orElseThrow(() -> new StatusException(Status.ENOENT,
                "inode " + op.getParent() + ": no entry '" + name + "'"));
        InodeRecord src = tx.requireInode(srcEntry.inode());
        Optional<EntryRecord> dstEntry = tx.entry(dstDir.inode(), newName);
        boolean exchange = (flags & RENAME_EXCHANGE) != 0;
        if (exchange && dstEntry.isEmpty()) {
            throw new StatusException(Status.ENOENT, "inode " + op.getNewParent() + ": no entry '" + newName + "'");
        }
        if ((flags & RENAME_NOREPLACE) != 0 && dstEntry.isPresent()) {
            throw new StatusException(Status.EEXIST, "inode " + op.getNewParent() + ": '" + newName + "' exists");
        }
        Permissions.require(cred, srcDir, Permissions.W_OK | Permissions.X_OK);
        Permissions.require(cred, dstDir, Permissions.W_OK | Permissions.X_OK);
        Permissions.requireStickyAllows(cred, srcDir, src);
        Optional<InodeRecord> dst = dstEntry.isPresent()
                ? Optional.of(tx.requireInode(dstEntry.get().inode())) : Optional.empty();
        if (dst.isPresent()) {
            Permissions.requireStickyAllows(cred, dstDir, dst.get());
            if (dst.get().inode() == src.inode()) {
                // Both names already refer to the same inode: POSIX says do nothing.
                return Results.ok(src);
            }
        }
        boolean crossDirectory = srcDir.inode() != dstDir.inode();
        if (src.isDirectory()) {
            requireNotInSubtree(tx, src.inode(), dstDir.inode());
            if (crossDirectory) {
                // Moving a directory rewrites its "..": needs write permission on it.
                Permissions.require(cred, src, Permissions.W_OK);
            }
        }
        if (exchange) {
            return exchange(tx, cred, now, op, src, dst.get(), crossDirectory);
        }
        MetaResult.Builder result = MetaResult.newBuilder().setStatus(0);
        if (dst.isPresent()) {
            InodeRecord victim = dst.get();
            if (src.isDirectory() && !victim.isDirectory()) {
                throw new StatusException(Status.ENOTDIR, "inode " + victim.inode() + " is not a directory");
            }
            if (!src.isDirectory() && victim.isDirectory()) {
                throw new StatusException(Status.EISDIR, "inode " + victim.inode() + " is a directory");
            }
            if (victim.isDirectory() && victim.entryCount() > 0) {
                throw new StatusException(Status.ENOTEMPTY, "inode " + victim.inode() + " is not empty");
            }
            tx.putInode(tx.removeEntry(dstDir.inode(), newName));
            if (victim.isDirectory()) {
                adjustDirectory(tx, dstDir.inode(), -1, now);
            }
            RemoveOps.dropName(tx, victim, now, result);
        }
        tx.removeEntry(srcDir.inode(), name);
        tx.addEntry(dstDir.inode(), newName, src.inode(), src.type());
        InodeRecord moved = src.withCtime(now);
        if (src.isDirectory() && crossDirectory) {
            moved = moved.withParent(dstDir.inode());
            adjustDirectory(tx, srcDir.inode(), -1, now);
            adjustDirectory(tx, dstDir.inode(), +1, now);
        } else {
            adjustDirectory(tx, srcDir.inode(), 0, now);
            adjustDirectory(tx, dstDir.inode(), 0, now);
        }
        tx.putInode(moved);
        return result.setAttr(moved.toAttr());
    }

    private static MetaResult.Builder exchange(ApplyBatch tx, Credentials cred, Timespec now, RenameOp op,
            InodeRecord src, InodeRecord dst, boolean crossDirectory) throws StatusException {
        if (dst.isDirectory()) {
            requireNotInSubtree(tx, dst.inode(), op.getParent());
            if (crossDirectory) {
                Permissions.require(cred, dst, Permissions.W_OK);
            }
        }
        tx.removeEntry(op.getParent(), op.getName());
        tx.removeEntry(op.getNewParent(), op.getNewName());
        tx.addEntry(op.getParent(), op.getName(), dst.inode(), dst.type());
        tx.addEntry(op.getNewParent(), op.getNewName(), src.inode(), src.type());
        InodeRecord movedSrc = src.withCtime(now);
        InodeRecord movedDst = dst.withCtime(now);
        int srcDirDelta = 0;
        if (crossDirectory && src.isDirectory()) {
            movedSrc = movedSrc.withParent(op.getNewParent());
            srcDirDelta--;
        }
        if (crossDirectory && dst.isDirectory()) {
            movedDst = movedDst.withParent(op.getParent());
            srcDirDelta++;
        }
        tx.putInode(movedSrc);
        tx.putInode(movedDst);
        adjustDirectory(tx, op.getParent(), srcDirDelta, now);
        if (crossDirectory) {
            adjustDirectory(tx, op.getNewParent(), -srcDirDelta, now);
        }
        return Results.ok(movedSrc);
    }

    /** A changed directory: link count moves by {@code nlinkDelta}, mtime and ctime become now. */
    private static void adjustDirectory(ApplyBatch tx, long dir, int nlinkDelta, Timespec now)
            throws StatusException {
        InodeRecord current = tx.requireDirectory(dir);
        tx.putInode(current.withNlink(current.nlink() + nlinkDelta).touched(now));
    }

    /** EINVAL when {@code target} is {@code directory} itself or lies below it. */
    private static void requireNotInSubtree(ApplyBatch tx, long directory, long target) throws StatusException {
        long current = target;
        for (int depth = 0; depth < MAX_DEPTH; depth++) {
            if (current == directory) {
                throw new StatusException(Status.EINVAL, "inode " + directory + ": cannot move a directory into "
                        + "its own subtree (inode " + target + ")");
            }
            if (current == InodeId.ROOT.value()) {
                return;
            }
            current = tx.requireInode(current).parent();
        }
        throw new IllegalStateException("inode " + target + ": parent chain deeper than " + MAX_DEPTH);
    }
}
