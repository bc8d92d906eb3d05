package org.mooseng.fuse.ll;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;

/** Fills and reads the C structs of {@link FuseStructs}; no libfuse calls here, so tests can run it anywhere. */
public final class NativeStructs {
    /** fuse_file_info bit masks (GCC allocates bit fields from the low bit of the int at offset 4). */
    public static final int FI_WRITEPAGE = 1;
    public static final int FI_DIRECT_IO = 1 << 1;
    public static final int FI_KEEP_CACHE = 1 << 2;
    public static final int FI_FLUSH = 1 << 3;
    public static final int FI_NONSEEKABLE = 1 << 4;
    public static final int FI_FLOCK_RELEASE = 1 << 5;
    public static final int FI_CACHE_READDIR = 1 << 6;
    public static final int FI_NOFLUSH = 1 << 7;

    private NativeStructs() {
    }

    /** Fills a zeroed struct stat. */
    public static void writeStat(MemorySegment stat, FileAttributes a) {
        stat.set(JAVA_LONG, FuseStructs.STAT_INO, a.inode());
        stat.set(JAVA_LONG, FuseStructs.STAT_NLINK, a.nlink());
        stat.set(JAVA_INT, FuseStructs.STAT_MODE, a.mode());
        stat.set(JAVA_INT, FuseStructs.STAT_UID, a.uid());
        stat.set(JAVA_INT, FuseStructs.STAT_GID, a.gid());
        stat.set(JAVA_LONG, FuseStructs.STAT_RDEV, a.rdev());
        stat.set(JAVA_LONG, FuseStructs.STAT_SIZE, a.sizeBytes());
        stat.set(JAVA_LONG, FuseStructs.STAT_BLKSIZE, FileAttributes.PREFERRED_IO_BYTES);
        stat.set(JAVA_LONG, FuseStructs.STAT_BLOCKS, a.blocks512());
        writeTimespec(stat, FuseStructs.STAT_ATIM, a.atimeSeconds(), a.atimeNanos());
        writeTimespec(stat, FuseStructs.STAT_MTIM, a.mtimeSeconds(), a.mtimeNanos());
        writeTimespec(stat, FuseStructs.STAT_CTIM, a.ctimeSeconds(), a.ctimeNanos());
    }

    private static void writeTimespec(MemorySegment stat, long offset, long seconds, int nanos) {
        stat.set(JAVA_LONG, offset, seconds);
        stat.set(JAVA_LONG, offset + 8, nanos);
    }

    /** Reads what setattr passes: the struct stat holding the new values, and the to_set bits. */
    public static AttributeChange readAttributeChange(MemorySegment stat, int toSet) {
        return new AttributeChange(toSet,
                stat.get(JAVA_INT, FuseStructs.STAT_MODE),
                stat.get(JAVA_INT, FuseStructs.STAT_UID),
                stat.get(JAVA_INT, FuseStructs.STAT_GID),
                stat.get(JAVA_LONG, FuseStructs.STAT_SIZE),
                stat.get(JAVA_LONG, FuseStructs.STAT_ATIM), (int) stat.get(JAVA_LONG, FuseStructs.STAT_ATIM + 8),
                stat.get(JAVA_LONG, FuseStructs.STAT_MTIM), (int) stat.get(JAVA_LONG, FuseStructs.STAT_MTIM + 8));
    }

    public static void writeEntry(MemorySegment entry, Reply.Entry reply) {
        entry.set(JAVA_LONG, FuseStructs.ENTRY_INO, reply.attributes().inode());
        // Inode numbers are never reused by the master, so one generation is enough.
        entry.set(JAVA_LONG, FuseStructs.ENTRY_GENERATION, 1);
        writeStat(entry.asSlice(FuseStructs.ENTRY_ATTR, FuseStructs.STAT.byteSize()), reply.attributes());
        entry.set(JAVA_DOUBLE, FuseStructs.ENTRY_ATTR_TIMEOUT, reply.attrTimeoutSeconds());
        entry.set(JAVA_DOUBLE, FuseStructs.ENTRY_ENTRY_TIMEOUT, reply.entryTimeoutSeconds());
    }

    public static void writeOpen(MemorySegment fileInfo, Reply.Open open) {
        fileInfo.set(JAVA_LONG, FuseStructs.FILE_INFO_FH, open.handle());
        int bits = fileInfo.get(JAVA_INT, FuseStructs.FILE_INFO_BITS) & ~(FI_DIRECT_IO | FI_KEEP_CACHE);
        if (open.directIo()) {
            bits |= FI_DIRECT_IO;
        }
        if (open.keepCache()) {
            bits |= FI_KEEP_CACHE;
        }
        fileInfo.set(JAVA_INT, FuseStructs.FILE_INFO_BITS, bits);
    }

    public static int fileInfoFlags(MemorySegment fileInfo) {
        return fileInfo.get(JAVA_INT, FuseStructs.FILE_INFO_FLAGS);
    }

    public static long fileInfoLockOwner(MemorySegment fileInfo) {
        return fileInfo.get(JAVA_LONG, FuseStructs.FILE_INFO_LOCK_OWNER);
    }

    /** The release of the last descriptor of a file that held a flock: the owner's flock must go. */
    public static boolean fileInfoFlockRelease(MemorySegment fileInfo) {
        return (fileInfo.get(JAVA_INT, FuseStructs.FILE_INFO_BITS) & FI_FLOCK_RELEASE) != 0;
    }

    public static LockRange readFlock(MemorySegment flock) {
        return new LockRange(flock.get(JAVA_SHORT, FuseStructs.FLOCK_TYPE), flock.get(JAVA_LONG, FuseStructs.FLOCK_START),
                flock.get(JAVA_LONG, FuseStructs.FLOCK_LEN), flock.get(JAVA_INT, FuseStructs.FLOCK_PID));
    }

    /** Fills a zeroed struct flock (l_whence stays SEEK_SET). */
    public static void writeFlock(MemorySegment flock, LockRange lock) {
        flock.set(JAVA_SHORT, FuseStructs.FLOCK_TYPE, (short) lock.type());
        flock.set(JAVA_LONG, FuseStructs.FLOCK_START, lock.startBytes());
        flock.set(JAVA_LONG, FuseStructs.FLOCK_LEN, lock.lengthBytes());
        flock.set(JAVA_INT, FuseStructs.FLOCK_PID, lock.pid());
    }

    public static long fileInfoHandle(MemorySegment fileInfo) {
        return fileInfo.get(JAVA_LONG, FuseStructs.FILE_INFO_FH);
    }

    public static void writeStatfs(MemorySegment statvfs, Reply.Statfs s) {
        statvfs.set(JAVA_LONG, FuseStructs.offset(FuseStructs.STATVFS, "f_bsize"), s.blockSize());
        statvfs.set(JAVA_LONG, FuseStructs.offset(FuseStructs.STATVFS, "f_frsize"), s.blockSize());
        statvfs.set(JAVA_LONG, FuseStructs.offset(FuseStructs.STATVFS, "f_blocks"), s.blocks());
        statvfs.set(JAVA_LONG, FuseStructs.offset(FuseStructs.STATVFS, "f_bfree"), s.freeBlocks());
        statvfs.set(JAVA_LONG, FuseStructs.offset(FuseStructs.STATVFS, "f_bavail"), s.availableBlocks());
        statvfs.set(JAVA_LONG, FuseStructs.offset(FuseStructs.STATVFS, "f_files"), s.files());
        statvfs.set(JAVA_LONG, FuseStructs.offset(FuseStructs.STATVFS, "f_ffree"), s.freeFiles());
        statvfs.set(JAVA_LONG, FuseStructs.offset(FuseStructs.STATVFS, "f_favail"), s.freeFiles());
        statvfs.set(JAVA_LONG, FuseStructs.offset(FuseStructs.STATVFS, "f_namemax"), s.nameMax());
    }
}
