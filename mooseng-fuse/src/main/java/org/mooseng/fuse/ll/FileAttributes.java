package org.mooseng.fuse.ll;

/**
 * What struct stat carries for one inode, in the binding's terms.
 *
 * @param mode      file type bits (S_IFREG, ...) and permission bits together, as st_mode
 * @param blocks512 st_blocks: allocated space in 512-byte units
 */
public record FileAttributes(long inode, int mode, long nlink, int uid, int gid, long rdev, long sizeBytes,
                             long blocks512, long atimeSeconds, int atimeNanos, long mtimeSeconds,
                             int mtimeNanos, long ctimeSeconds, int ctimeNanos) {
    public static final int S_IFMT = 0170000;
    public static final int S_IFSOCK = 0140000;
    public static final int S_IFLNK = 0120000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFBLK = 0060000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFCHR = 0020000;
    public static final int S_IFIFO = 0010000;
    /** st_blksize reported to applications: the size they should write in (one chunk-server frame). */
    public static final long PREFERRED_IO_BYTES = 1 << 20;
}
