package org.mooseng.fuse;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import org.mooseng.client.FileStat;
import org.mooseng.client.FileType;
import org.mooseng.client.OpenFlag;
import org.mooseng.fuse.ll.AttributeChange;
import org.mooseng.fuse.ll.FileAttributes;
import org.mooseng.proto.SetAttrOp;
import org.mooseng.proto.Timespec;

/** Pure translations between the client's records and the kernel's view: modes, flags, setattr. */
final class AttributeMapping {
    /** open(2) flags (x86_64 Linux). */
    static final int O_ACCMODE = 3;
    static final int O_WRONLY = 1;
    static final int O_RDWR = 2;
    static final int O_EXCL = 0200;
    static final int O_APPEND = 02000;
    private static final int PERMISSION_BITS = 07777;

    private AttributeMapping() {
    }

    static int typeBits(FileType type) {
        return switch (type) {
            case REGULAR -> FileAttributes.S_IFREG;
            case DIRECTORY -> FileAttributes.S_IFDIR;
            case SYMLINK -> FileAttributes.S_IFLNK;
            case FIFO -> FileAttributes.S_IFIFO;
            case SOCKET -> FileAttributes.S_IFSOCK;
            case BLOCK_DEVICE -> FileAttributes.S_IFBLK;
            case CHAR_DEVICE -> FileAttributes.S_IFCHR;
        };
    }

    /** The node type a mknod mode asks for; null for a type MooseNG cannot hold. */
    static FileType nodeType(int mode) {
        return switch (mode & FileAttributes.S_IFMT) {
            case FileAttributes.S_IFREG, 0 -> FileType.REGULAR;
            case FileAttributes.S_IFIFO -> FileType.FIFO;
            case FileAttributes.S_IFSOCK -> FileType.SOCKET;
            case FileAttributes.S_IFCHR -> FileType.CHAR_DEVICE;
            case FileAttributes.S_IFBLK -> FileType.BLOCK_DEVICE;
            default -> null;
        };
    }

    /**
     * The attributes as struct stat shows them. Blocks are the size rounded up to 512-byte
     * units: the master keeps no count of the holes in a sparse file.
     */
    static FileAttributes toKernel(FileStat stat, long sizeBytes) {
        long blocks = stat.isRegularFile() || stat.isSymlink() ? (sizeBytes + 511) / 512 : 0;
        return new FileAttributes(stat.inode().value(), typeBits(stat.type()) | (stat.mode() & PERMISSION_BITS),
                stat.nlink(), stat.uid(), stat.gid(), stat.rdev(), sizeBytes, blocks,
                stat.atime().getEpochSecond(), stat.atime().getNano(),
                stat.mtime().getEpochSecond(), stat.mtime().getNano(),
                stat.ctime().getEpochSecond(), stat.ctime().getNano());
    }

    static FileAttributes toKernel(FileStat stat) {
        return toKernel(stat, stat.sizeBytes());
    }

    /** How the client opens a file for the given open(2) flags (creation and O_TRUNC are handled apart). */
    static Set<OpenFlag> openFlags(int flags) {
        Set<OpenFlag> result = EnumSet.noneOf(OpenFlag.class);
        switch (flags & O_ACCMODE) {
            case O_WRONLY -> result.add(OpenFlag.WRITE);
            case O_RDWR -> {
                result.add(OpenFlag.READ);
                result.add(OpenFlag.WRITE);
            }
            default -> result.add(OpenFlag.READ);
        }
        if ((flags & O_APPEND) != 0 && result.contains(OpenFlag.WRITE)) {
            result.add(OpenFlag.APPEND);
        }
        return result;
    }

    static boolean writable(int flags) {
        return (flags & O_ACCMODE) == O_WRONLY || (flags & O_ACCMODE) == O_RDWR;
    }

    /** The SetAttr operation for a kernel setattr; its valid bits are 0 when nothing the master keeps changes. */
    static SetAttrOp.Builder setAttr(AttributeChange change) {
        SetAttrOp.Builder op = SetAttrOp.newBuilder();
        int valid = 0;
        if (change.has(AttributeChange.SET_MODE)) {
            valid |= SetAttrOp.Field.SET_MODE_VALUE;
            op.setMode(change.mode() & PERMISSION_BITS);
        }
        if (change.has(AttributeChange.SET_UID)) {
            valid |= SetAttrOp.Field.SET_UID_VALUE;
            op.setUid(change.uid());
        }
        if (change.has(AttributeChange.SET_GID)) {
            valid |= SetAttrOp.Field.SET_GID_VALUE;
            op.setGid(change.gid());
        }
        if (change.has(AttributeChange.SET_SIZE)) {
            valid |= SetAttrOp.Field.SET_SIZE_VALUE;
            op.setSize(change.sizeBytes());
        }
        if (change.has(AttributeChange.SET_ATIME_NOW)) {
            valid |= SetAttrOp.Field.SET_ATIME_NOW_VALUE;
        } else if (change.has(AttributeChange.SET_ATIME)) {
            valid |= SetAttrOp.Field.SET_ATIME_VALUE;
            op.setAtime(timespec(change.atimeSeconds(), change.atimeNanos()));
        }
        if (change.has(AttributeChange.SET_MTIME_NOW)) {
            valid |= SetAttrOp.Field.SET_MTIME_NOW_VALUE;
        } else if (change.has(AttributeChange.SET_MTIME)) {
            valid |= SetAttrOp.Field.SET_MTIME_VALUE;
            op.setMtime(timespec(change.mtimeSeconds(), change.mtimeNanos()));
        }
        return op.setValid(valid);
    }

    private static Timespec timespec(long seconds, int nanos) {
        return Timespec.newBuilder().setSeconds(seconds).setNanos(nanos).build();
    }

    static Instant instant(long seconds, int nanos) {
        return Instant.ofEpochSecond(seconds, nanos);
    }
}
