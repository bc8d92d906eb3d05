package org.mooseng.fuse.ll;

/**
 * What a setattr asks for: {@code toSet} is the FUSE_SET_ATTR_* bit set, the other fields
 * matter only where their bit is set.
 */
public record AttributeChange(int toSet, int mode, int uid, int gid, long sizeBytes, long atimeSeconds,
                              int atimeNanos, long mtimeSeconds, int mtimeNanos) {
    public static final int SET_MODE = 1;
    public static final int SET_UID = 1 << 1;
    public static final int SET_GID = 1 << 2;
    public static final int SET_SIZE = 1 << 3;
    public static final int SET_ATIME = 1 << 4;
    public static final int SET_MTIME = 1 << 5;
    public static final int SET_ATIME_NOW = 1 << 7;
    public static final int SET_MTIME_NOW = 1 << 8;
    public static final int SET_CTIME = 1 << 10;

    public boolean has(int bit) {
        return (toSet & bit) != 0;
    }
}
