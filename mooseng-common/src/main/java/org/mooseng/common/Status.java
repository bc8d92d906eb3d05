package org.mooseng.common;

/**
 * Errno-like status of a protocol or user-level failure. The numeric codes are the Linux
 * errno values, so the same number travels on the wire and goes to FUSE unchanged.
 */
public enum Status {
    OK(0, "success"),
    EPERM(1, "operation not permitted"),
    ENOENT(2, "no such file or directory"),
    EIO(5, "input/output error"),
    ENXIO(6, "no such device or address"),
    EBADF(9, "bad file descriptor"),
    EAGAIN(11, "resource temporarily unavailable"),
    ENOMEM(12, "out of memory"),
    EACCES(13, "permission denied"),
    EBUSY(16, "device or resource busy"),
    EEXIST(17, "file exists"),
    EXDEV(18, "invalid cross-device link"),
    ENOTDIR(20, "not a directory"),
    EISDIR(21, "is a directory"),
    EINVAL(22, "invalid argument"),
    EFBIG(27, "file too large"),
    ENOSPC(28, "no space left on device"),
    EROFS(30, "read-only file system"),
    EMLINK(31, "too many links"),
    ERANGE(34, "result out of range"),
    ENAMETOOLONG(36, "file name too long"),
    ENOSYS(38, "function not implemented"),
    ENOTEMPTY(39, "directory not empty"),
    ELOOP(40, "too many levels of symbolic links"),
    ENODATA(61, "no data available"),
    ENOTSUP(95, "operation not supported"),
    ETIMEDOUT(110, "connection timed out"),
    ECONNREFUSED(111, "connection refused"),
    ESTALE(116, "stale file handle"),
    /** Not an errno: the peer belongs to another cluster. Mapped to EACCES for FUSE. */
    WRONG_CLUSTER(10001, "peer belongs to another cluster"),
    /** Not an errno: the contacted master is not the leader. Mapped to EAGAIN for FUSE. */
    NOT_LEADER(10002, "not the leader"),
    /** Not an errno: a stored checksum does not match the data. Mapped to EIO for FUSE. */
    CHECKSUM_MISMATCH(10003, "checksum mismatch"),
    /**
     * Not an errno: the leader cannot answer yet, e.g. it started too recently to know every
     * live chunk server. Clients retry after a pause; mapped to EIO for FUSE when they give up.
     */
    NOT_READY(10004, "not ready yet, retry");

    private static final Status[] BY_CODE = new Status[128];

    static {
        for (Status s : values()) {
            if (s.code < BY_CODE.length) {
                BY_CODE[s.code] = s;
            }
        }
    }

    private final int code;
    private final String description;

    Status(int code, String description) {
        this.code = code;
        this.description = description;
    }

    public int code() {
        return code;
    }

    public String description() {
        return description;
    }

    public boolean isOk() {
        return this == OK;
    }

    /** The errno to hand to the kernel: project-specific codes map to their nearest errno. */
    public int errno() {
        return switch (this) {
            case WRONG_CLUSTER -> EACCES.code;
            case NOT_LEADER -> EAGAIN.code;
            case CHECKSUM_MISMATCH, NOT_READY -> EIO.code;
            default -> code;
        };
    }

    /** The status for a wire code; unknown codes become EIO rather than being dropped. */
    public static Status fromCode(int code) {
        if (code >= 0 && code < BY_CODE.length && BY_CODE[code] != null) {
            return BY_CODE[code];
        }
        for (Status s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        return EIO;
    }
}
