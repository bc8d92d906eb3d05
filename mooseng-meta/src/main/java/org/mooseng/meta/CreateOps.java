package org.mooseng.meta;

import java.nio.charset.StandardCharsets;
import org.mooseng.common.InodeId;
import org.mooseng.common.Layout;
import org.mooseng.common.Status;
import org.mooseng.common.StatusException;
import org.mooseng.proto.CreateOp;
import org.mooseng.proto.Credentials;
import org.mooseng.proto.FileType;
import org.mooseng.proto.FormatOp;
import org.mooseng.proto.LinkOp;
import org.mooseng.proto.MetaResult;
import org.mooseng.proto.SymlinkOp;
import org.mooseng.proto.Timespec;

/** Ops that add a name: format (the root), create/mknod/mkdir, symlink, link. */
final class CreateOps {
    /** Most links one inode may have (also bounds subdirectories per directory), as on ext4. */
    static final int MAX_LINKS = 65_000;
    static final int ROOT_MODE = 0755;
    static final int DEFAULT_GOAL = 2;

    private CreateOps() {
    }

    static MetaResult.Builder format(ApplyBatch tx, Timespec now, FormatOp format) throws StatusException {
        long root = InodeId.ROOT.value();
        if (!tx.counters().clusterId().isEmpty() || tx.inode(root).isPresent()) {
            throw new StatusException(Status.EEXIST, "namespace is already formatted");
        }
        if (format.getClusterId().isEmpty()) {
            throw new StatusException(Status.EINVAL, "format needs a cluster id");
        }
        // The root is its own parent, so ".." of the root is the root.
        InodeRecord record = new InodeRecord(root, FileType.DIRECTORY, ROOT_MODE, 0, 0, 0, 2, now, now, now, 0,
                DEFAULT_GOAL, root, 1, 0);
        tx.putInode(record);
        tx.setCounters(tx.counters().withClusterId(format.getClusterId()).plusStats(1, 0, 1, 0, 0));
        return Results.ok(record);
    }

    static MetaResult.Builder create(ApplyBatch tx, Credentials cred, Timespec now, CreateOp op)
            throws StatusException {
        String name = op.getName();
        Names.requireCreatable(name);
        InodeRecord parent = tx.requireDirectory(op.getParent());
        Permissions.require(cred, parent, Permissions.X_OK);
        var existing = tx.entry(parent.inode(), name);
        if (existing.isPresent()) {
            if (op.getType() == FileType.REGULAR && !op.getExclusive()) {
                InodeRecord found = tx.requireInode(existing.get().inode());
                if (found.isRegular()) {
                    if (op.getOpenSession() != 0) {
                        SessionOps.requireSession(tx, op.getOpenSession());
                        SessionOps.requireOpenAllowed(cred, found, op.getOpenFlags());
                        SessionOps.register(tx, op.getOpenSession(), found.inode(), op.getOpenFlags());
                    }
                    return Results.ok(found).setParentAttr(parent.toAttr());
                }
                if (found.isDirectory()) {
                    throw new StatusException(Status.EISDIR, "inode " + found.inode() + " is a directory");
                }
            }
            throw new StatusException(Status.EEXIST, "inode " + parent.inode() + ": '" + name + "' exists");
        }
        Permissions.require(cred, parent, Permissions.W_OK | Permissions.X_OK);
        switch (op.getType()) {
            case REGULAR, DIRECTORY, FIFO, SOCKET, BLOCK_DEVICE, CHAR_DEVICE -> {
            }
            case SYMLINK, FILE_TYPE_UNSPECIFIED, UNRECOGNIZED ->
                    throw new StatusException(Status.EINVAL, "cannot create an inode of type " + op.getType());
        }
        boolean isDevice = op.getType() == FileType.BLOCK_DEVICE || op.getType() == FileType.CHAR_DEVICE;
        boolean openAfterCreate = op.getOpenSession() != 0 && op.getType() == FileType.REGULAR;
        if (openAfterCreate) {
            SessionOps.requireSession(tx, op.getOpenSession());
        }
        Added added = addInode(tx, cred, now, parent, name, op.getType(), op.getMode(),
                isDevice ? op.getRdev() : 0, 0);
        if (openAfterCreate) {
            // The creator's open is not checked against the new mode, as open(O_CREAT) does.
            SessionOps.register(tx, op.getOpenSession(), added.child().inode(), op.getOpenFlags());
        }
        return added.result();
    }

    static MetaResult.Builder symlink(ApplyBatch tx, Credentials cred, Timespec now, SymlinkOp op)
            throws StatusException {
        String name = op.getName();
        Names.requireCreatable(name);
        String target = op.getTarget();
        int targetBytes = target.getBytes(StandardCharsets.UTF_8).length;
        if (target.isEmpty()) {
            throw new StatusException(Status.ENOENT, "empty symlink target");
        }
        if (targetBytes > Layout.MAX_SYMLINK_BYTES) {
            throw new StatusException(Status.ENAMETOOLONG, "symlink target longer than "
                    + Layout.MAX_SYMLINK_BYTES + " bytes");
        }
        if (target.indexOf('\0') >= 0) {
            throw new StatusException(Status.EINVAL, "symlink target contains NUL");
        }
        InodeRecord parent = tx.requireDirectory(op.getParent());
        Permissions.require(cred, parent, Permissions.X_OK);
        if (tx.entry(parent.inode(), name).isPresent()) {
            throw new StatusException(Status.EEXIST, "inode " + parent.inode() + ": '" + name + "' exists");
        }
        Permissions.require(cred, parent, Permissions.W_OK | Permissions.X_OK);
        Added added = addInode(tx, cred, now, parent, name, FileType.SYMLINK, 0777, 0, targetBytes);
        tx.putSymlink(added.child().inode(), target);
        return added.result();
    }

    static MetaResult.Builder link(ApplyBatch tx, Credentials cred, Timespec now, LinkOp op) throws StatusException {
        String name = op.getNewName();
        Names.requireCreatable(name);
        InodeRecord target = tx.requireInode(op.getInode());
        InodeRecord parent = tx.requireDirectory(op.getNewParent());
        Permissions.require(cred, parent, Permissions.X_OK);
        if (tx.entry(parent.inode(), name).isPresent()) {
            throw new StatusException(Status.EEXIST, "inode " + parent.inode() + ": '" + name + "' exists");
        }
        Permissions.require(cred, parent, Permissions.W_OK | Permissions.X_OK);
        if (target.isDirectory()) {
            throw new StatusException(Status.EPERM, "inode " + target.inode() + ": hard link to a directory");
        }
        if (target.nlink() == 0) {
            throw new StatusException(Status.ENOENT, "inode " + target.inode() + " has no name left (unlinked)");
        }
        if (target.nlink() >= MAX_LINKS) {
            throw new StatusException(Status.EMLINK, "inode " + target.inode() + " has " + target.nlink()
                    + " links");
        }
        InodeRecord linked = target.withNlink(target.nlink() + 1).withCtime(now);
        tx.putInode(linked);
        InodeRecord updatedParent = tx.addEntry(parent.inode(), name, linked.inode(), linked.type()).touched(now);
        tx.putInode(updatedParent);
        return Results.ok(linked).setParentAttr(updatedParent.toAttr());
    }

    /** A new inode and its parent as the addition left it. */
    private record Added(InodeRecord child, InodeRecord parent) {
        MetaResult.Builder result() {
            return Results.ok(child).setParentAttr(parent.toAttr()).setCreated(true);
        }
    }

    /** Allocates a new inode under {@code parent}, links it as {@code name} and updates the parent. */
    private static Added addInode(ApplyBatch tx, Credentials cred, Timespec now, InodeRecord parent,
            String name, FileType type, int requestedMode, long rdev, long sizeBytes) throws StatusException {
        boolean isDirectory = type == FileType.DIRECTORY;
        if (isDirectory && parent.nlink() >= MAX_LINKS) {
            throw new StatusException(Status.EMLINK, "inode " + parent.inode() + " has too many subdirectories");
        }
        boolean parentSetgid = (parent.mode() & InodeRecord.S_ISGID) != 0;
        int gid = parentSetgid ? parent.gid() : cred.getGid();
        int mode = requestedMode & InodeRecord.PERMISSION_BITS;
        if (isDirectory && parentSetgid) {
            mode |= InodeRecord.S_ISGID;
        } else if (!isDirectory && (mode & InodeRecord.S_ISGID) != 0 && !Permissions.isRoot(cred)
                && !Permissions.inGroup(cred, gid)) {
            // Same as Linux: no setgid file for a group the creator is not in.
            mode &= ~InodeRecord.S_ISGID;
        }
        long id = tx.allocateInode();
        InodeRecord child = new InodeRecord(id, type, mode, cred.getUid(), gid, sizeBytes, isDirectory ? 2 : 1,
                now, now, now, rdev, parent.goal(), isDirectory ? parent.inode() : 0, 1, 0);
        tx.putInode(child);
        InodeRecord updatedParent = tx.addEntry(parent.inode(), name, id, type).touched(now);
        if (isDirectory) {
            updatedParent = updatedParent.withNlink(updatedParent.nlink() + 1);
        }
        tx.putInode(updatedParent);
        tx.setCounters(tx.counters().plusStats(1, type == FileType.REGULAR ? 1 : 0, isDirectory ? 1 : 0, 0, 0));
        return new Added(child, updatedParent);
    }
}
