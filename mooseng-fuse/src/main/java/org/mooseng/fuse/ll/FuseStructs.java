package org.mooseng.fuse.ll;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.StructLayout;

/**
 * The C structs of libfuse 3.14 and glibc on x86_64 that the binding reads or fills, field
 * by field in header order. Only x86_64 Linux is described: other ABIs lay out
 * {@code struct stat} differently, and {@link LibFuse} refuses to load there.
 */
public final class FuseStructs {
    private FuseStructs() {
    }

    /** struct fuse_args { int argc; char **argv; int allocated; }. */
    public static final StructLayout FUSE_ARGS = MemoryLayout.structLayout(
            JAVA_INT.withName("argc"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("argv"),
            JAVA_INT.withName("allocated"),
            MemoryLayout.paddingLayout(4));

    /** Every entry of struct fuse_lowlevel_ops, in header order (3.14: 44 function pointers). */
    public static final java.util.List<String> LOWLEVEL_OPS_ORDER = java.util.List.of(
            "init", "destroy", "lookup", "forget", "getattr", "setattr", "readlink", "mknod", "mkdir",
            "unlink", "rmdir", "symlink", "rename", "link", "open", "read", "write", "flush", "release",
            "fsync", "opendir", "readdir", "releasedir", "fsyncdir", "statfs", "setxattr", "getxattr",
            "listxattr", "removexattr", "access", "create", "getlk", "setlk", "bmap", "ioctl", "poll",
            "write_buf", "retrieve_reply", "forget_multi", "flock", "fallocate", "readdirplus",
            "copy_file_range", "lseek");

    public static final StructLayout LOWLEVEL_OPS = MemoryLayout.structLayout(
            LOWLEVEL_OPS_ORDER.stream().map(ADDRESS::withName).toArray(MemoryLayout[]::new));

    /** struct timespec: 64-bit seconds and nanoseconds. */
    public static final StructLayout TIMESPEC = MemoryLayout.structLayout(
            JAVA_LONG.withName("tv_sec"), JAVA_LONG.withName("tv_nsec"));

    /** glibc's struct stat on x86_64 (note nlink before mode, unlike most other ABIs). */
    public static final StructLayout STAT = MemoryLayout.structLayout(
            JAVA_LONG.withName("st_dev"),
            JAVA_LONG.withName("st_ino"),
            JAVA_LONG.withName("st_nlink"),
            JAVA_INT.withName("st_mode"),
            JAVA_INT.withName("st_uid"),
            JAVA_INT.withName("st_gid"),
            MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("st_rdev"),
            JAVA_LONG.withName("st_size"),
            JAVA_LONG.withName("st_blksize"),
            JAVA_LONG.withName("st_blocks"),
            TIMESPEC.withName("st_atim"),
            TIMESPEC.withName("st_mtim"),
            TIMESPEC.withName("st_ctim"),
            MemoryLayout.sequenceLayout(3, JAVA_LONG).withName("reserved"));

    /** struct fuse_entry_param { ino; generation; struct stat attr; double attr_timeout, entry_timeout; }. */
    public static final StructLayout ENTRY_PARAM = MemoryLayout.structLayout(
            JAVA_LONG.withName("ino"),
            JAVA_LONG.withName("generation"),
            STAT.withName("attr"),
            JAVA_DOUBLE.withName("attr_timeout"),
            JAVA_DOUBLE.withName("entry_timeout"));

    /** glibc's struct statvfs on x86_64. */
    public static final StructLayout STATVFS = MemoryLayout.structLayout(
            JAVA_LONG.withName("f_bsize"),
            JAVA_LONG.withName("f_frsize"),
            JAVA_LONG.withName("f_blocks"),
            JAVA_LONG.withName("f_bfree"),
            JAVA_LONG.withName("f_bavail"),
            JAVA_LONG.withName("f_files"),
            JAVA_LONG.withName("f_ffree"),
            JAVA_LONG.withName("f_favail"),
            JAVA_LONG.withName("f_fsid"),
            JAVA_LONG.withName("f_flag"),
            JAVA_LONG.withName("f_namemax"),
            MemoryLayout.sequenceLayout(6, JAVA_INT).withName("spare"));

    /**
     * struct fuse_file_info. The C bit fields (writepage:1, direct_io:1, keep_cache:1,
     * flush:1, nonseekable:1, flock_release:1, cache_readdir:1, noflush:1, padding:24,
     * padding2:32) share the two ints after flags; GCC allocates them from the low bit up,
     * so direct_io is bit 1 of the int at offset 4. See {@link FileInfo} for the masks.
     */
    public static final StructLayout FILE_INFO = MemoryLayout.structLayout(
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("bits"),
            JAVA_INT.withName("padding2"),
            MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("fh"),
            JAVA_LONG.withName("lock_owner"),
            JAVA_INT.withName("poll_events"),
            MemoryLayout.paddingLayout(4));

    /** struct fuse_ctx { uid_t uid; gid_t gid; pid_t pid; mode_t umask; }. */
    public static final StructLayout CTX = MemoryLayout.structLayout(
            JAVA_INT.withName("uid"), JAVA_INT.withName("gid"), JAVA_INT.withName("pid"),
            JAVA_INT.withName("umask"));

    /** struct fuse_conn_info (3.14): ten unsigned fields and 22 reserved. */
    public static final StructLayout CONN_INFO = MemoryLayout.structLayout(
            JAVA_INT.withName("proto_major"),
            JAVA_INT.withName("proto_minor"),
            JAVA_INT.withName("max_write"),
            JAVA_INT.withName("max_read"),
            JAVA_INT.withName("max_readahead"),
            JAVA_INT.withName("capable"),
            JAVA_INT.withName("want"),
            JAVA_INT.withName("max_background"),
            JAVA_INT.withName("congestion_threshold"),
            JAVA_INT.withName("time_gran"),
            MemoryLayout.sequenceLayout(22, JAVA_INT).withName("reserved"));

    /** struct flock on x86_64: short l_type, l_whence; off_t l_start, l_len; pid_t l_pid. */
    public static final StructLayout FLOCK = MemoryLayout.structLayout(
            JAVA_SHORT.withName("l_type"),
            JAVA_SHORT.withName("l_whence"),
            MemoryLayout.paddingLayout(4),
            JAVA_LONG.withName("l_start"),
            JAVA_LONG.withName("l_len"),
            JAVA_INT.withName("l_pid"),
            MemoryLayout.paddingLayout(4));

    /** struct fuse_loop_config as of 3.2 (used only when the 3.12 config functions are missing). */
    public static final StructLayout LOOP_CONFIG_V32 = MemoryLayout.structLayout(
            JAVA_INT.withName("clone_fd"), JAVA_INT.withName("max_idle_threads"));

    public static long offset(StructLayout layout, String... path) {
        PathElement[] elements = new PathElement[path.length];
        for (int i = 0; i < path.length; i++) {
            elements[i] = PathElement.groupElement(path[i]);
        }
        return layout.byteOffset(elements);
    }

    // Offsets used on the hot paths, computed once.
    static final long STAT_INO = offset(STAT, "st_ino");
    static final long STAT_NLINK = offset(STAT, "st_nlink");
    static final long STAT_MODE = offset(STAT, "st_mode");
    static final long STAT_UID = offset(STAT, "st_uid");
    static final long STAT_GID = offset(STAT, "st_gid");
    static final long STAT_RDEV = offset(STAT, "st_rdev");
    static final long STAT_SIZE = offset(STAT, "st_size");
    static final long STAT_BLKSIZE = offset(STAT, "st_blksize");
    static final long STAT_BLOCKS = offset(STAT, "st_blocks");
    static final long STAT_ATIM = offset(STAT, "st_atim");
    static final long STAT_MTIM = offset(STAT, "st_mtim");
    static final long STAT_CTIM = offset(STAT, "st_ctim");
    static final long ENTRY_INO = offset(ENTRY_PARAM, "ino");
    static final long ENTRY_GENERATION = offset(ENTRY_PARAM, "generation");
    static final long ENTRY_ATTR = offset(ENTRY_PARAM, "attr");
    static final long ENTRY_ATTR_TIMEOUT = offset(ENTRY_PARAM, "attr_timeout");
    static final long ENTRY_ENTRY_TIMEOUT = offset(ENTRY_PARAM, "entry_timeout");
    static final long FILE_INFO_FLAGS = offset(FILE_INFO, "flags");
    static final long FILE_INFO_BITS = offset(FILE_INFO, "bits");
    static final long FILE_INFO_FH = offset(FILE_INFO, "fh");
    static final long FILE_INFO_LOCK_OWNER = offset(FILE_INFO, "lock_owner");
    static final long FLOCK_TYPE = offset(FLOCK, "l_type");
    static final long FLOCK_START = offset(FLOCK, "l_start");
    static final long FLOCK_LEN = offset(FLOCK, "l_len");
    static final long FLOCK_PID = offset(FLOCK, "l_pid");
    static final long CONN_MAX_WRITE = offset(CONN_INFO, "max_write");
    static final long CONN_MAX_READAHEAD = offset(CONN_INFO, "max_readahead");
    static final long CONN_CAPABLE = offset(CONN_INFO, "capable");
    static final long CONN_WANT = offset(CONN_INFO, "want");
    static final long CONN_TIME_GRAN = offset(CONN_INFO, "time_gran");
}
