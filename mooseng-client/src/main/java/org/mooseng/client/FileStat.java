package org.mooseng.client;

import java.time.Instant;
import org.mooseng.common.InodeId;
import org.mooseng.proto.Attr;
import org.mooseng.proto.Timespec;

/**
 * Attributes of an inode.
 *
 * @param mode      permission bits only (07777)
 * @param sizeBytes for symlinks, the target's length
 * @param goal      copies kept of each chunk
 */
public record FileStat(InodeId inode, FileType type, int mode, int uid, int gid, long sizeBytes, int nlink,
                       Instant atime, Instant mtime, Instant ctime, long rdev, int goal) {
    public boolean isDirectory() {
        return type == FileType.DIRECTORY;
    }

    public boolean isRegularFile() {
        return type == FileType.REGULAR;
    }

    public boolean isSymlink() {
        return type == FileType.SYMLINK;
    }

    static FileStat from(Attr a) {
        return new FileStat(new InodeId(a.getInode()), FileType.from(a.getType()), a.getMode(), a.getUid(),
                a.getGid(), a.getSize(), a.getNlink(), instant(a.getAtime()), instant(a.getMtime()),
                instant(a.getCtime()), a.getRdev(), a.getGoal());
    }

    static Instant instant(Timespec t) {
        return Instant.ofEpochSecond(t.getSeconds(), Integer.toUnsignedLong(t.getNanos()));
    }
}
