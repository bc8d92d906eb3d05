package org.mooseng.meta;

import org.mooseng.proto.Attr;
import org.mooseng.proto.FileType;
import org.mooseng.proto.Timespec;

/**
 * One inode as stored. {@code parent}, {@code nextEntrySeq} and {@code entryCount} are kept
 * for directories only: the parent answers "..", and the subtree check of rename; the
 * sequence numbers give readdir cookies that survive concurrent inserts and deletes; the
 * count makes the emptiness check of rmdir O(1).
 */
record InodeRecord(
        long inode,
        FileType type,
        int mode,
        int uid,
        int gid,
        long sizeBytes,
        int nlink,
        Timespec atime,
        Timespec mtime,
        Timespec ctime,
        long rdev,
        int goal,
        long parent,
        long nextEntrySeq,
        long entryCount) {

    static final int S_ISUID = 04000;
    static final int S_ISGID = 02000;
    static final int S_ISVTX = 01000;
    static final int PERMISSION_BITS = 07777;

    boolean isDirectory() {
        return type == FileType.DIRECTORY;
    }

    boolean isRegular() {
        return type == FileType.REGULAR;
    }

    Attr toAttr() {
        Attr.Builder attr = Attr.newBuilder();
        if (isDirectory()) {
            // Every add takes the next sequence number and adds one entry; every removal drops one.
            attr.setEntryChanges(2 * (nextEntrySeq - 1) - entryCount);
        }
        return attr
                .setInode(inode)
                .setType(type)
                .setMode(mode)
                .setUid(uid)
                .setGid(gid)
                .setSize(sizeBytes)
                .setNlink(nlink)
                .setAtime(atime)
                .setMtime(mtime)
                .setCtime(ctime)
                .setRdev(rdev)
                .setGoal(goal)
                .build();
    }

    InodeRecord withNlink(int newNlink) {
        return new InodeRecord(inode, type, mode, uid, gid, sizeBytes, newNlink, atime, mtime, ctime, rdev, goal,
                parent, nextEntrySeq, entryCount);
    }

    InodeRecord withMode(int newMode) {
        return new InodeRecord(inode, type, newMode, uid, gid, sizeBytes, nlink, atime, mtime, ctime, rdev, goal,
                parent, nextEntrySeq, entryCount);
    }

    InodeRecord withOwner(int newUid, int newGid) {
        return new InodeRecord(inode, type, mode, newUid, newGid, sizeBytes, nlink, atime, mtime, ctime, rdev, goal,
                parent, nextEntrySeq, entryCount);
    }

    InodeRecord withSize(long newSizeBytes) {
        return new InodeRecord(inode, type, mode, uid, gid, newSizeBytes, nlink, atime, mtime, ctime, rdev, goal,
                parent, nextEntrySeq, entryCount);
    }

    InodeRecord withAtime(Timespec newAtime) {
        return new InodeRecord(inode, type, mode, uid, gid, sizeBytes, nlink, newAtime, mtime, ctime, rdev, goal,
                parent, nextEntrySeq, entryCount);
    }

    InodeRecord withMtime(Timespec newMtime) {
        return new InodeRecord(inode, type, mode, uid, gid, sizeBytes, nlink, atime, newMtime, ctime, rdev, goal,
                parent, nextEntrySeq, entryCount);
    }

    InodeRecord withCtime(Timespec newCtime) {
        return new InodeRecord(inode, type, mode, uid, gid, sizeBytes, nlink, atime, mtime, newCtime, rdev, goal,
                parent, nextEntrySeq, entryCount);
    }

    /** A directory whose entries changed: mtime and ctime move. */
    InodeRecord touched(Timespec now) {
        return withMtime(now).withCtime(now);
    }

    InodeRecord withGoal(int newGoal) {
        return new InodeRecord(inode, type, mode, uid, gid, sizeBytes, nlink, atime, mtime, ctime, rdev, newGoal,
                parent, nextEntrySeq, entryCount);
    }

    InodeRecord withParent(long newParent) {
        return new InodeRecord(inode, type, mode, uid, gid, sizeBytes, nlink, atime, mtime, ctime, rdev, goal,
                newParent, nextEntrySeq, entryCount);
    }

    /** The directory after one entry was added; the entry got sequence number {@code nextEntrySeq}. */
    InodeRecord withEntryAdded() {
        return new InodeRecord(inode, type, mode, uid, gid, sizeBytes, nlink, atime, mtime, ctime, rdev, goal,
                parent, nextEntrySeq + 1, entryCount + 1);
    }

    InodeRecord withEntryRemoved() {
        if (entryCount <= 0) {
            throw new IllegalStateException("inode " + inode + ": entry count would go negative");
        }
        return new InodeRecord(inode, type, mode, uid, gid, sizeBytes, nlink, atime, mtime, ctime, rdev, goal,
                parent, nextEntrySeq, entryCount - 1);
    }
}
