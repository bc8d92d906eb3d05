package org.mooseng.fuse.ll;

/**
 * A POSIX record lock as struct flock carries it (libfuse has already turned the kernel's
 * range into l_whence = SEEK_SET): {@code lengthBytes} 0 reaches to the end of the file.
 */
public record LockRange(int type, long startBytes, long lengthBytes, int pid) {
    /** l_type values (x86_64 Linux). */
    public static final int F_RDLCK = 0;
    public static final int F_WRLCK = 1;
    public static final int F_UNLCK = 2;

    public static LockRange none() {
        return new LockRange(F_UNLCK, 0, 0, 0);
    }
}
