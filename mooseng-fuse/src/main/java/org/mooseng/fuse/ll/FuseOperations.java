package org.mooseng.fuse.ll;

import java.nio.ByteBuffer;

/**
 * The low-level (inode-based) operations a file system implements, in Java terms. Every
 * method returns its reply rather than sending it; {@link LowLevelSession} sends it. A
 * method may throw: the session logs the exception and answers EIO.
 *
 * <p>{@code handle} is the fh a previous open/create/opendir returned, or -1 where the
 * kernel passed no fuse_file_info.
 */
public interface FuseOperations {
    Reply lookup(Caller caller, long parent, String name) throws Exception;

    Reply forget(long inode, long lookups);

    Reply getattr(Caller caller, long inode, long handle) throws Exception;

    Reply setattr(Caller caller, long inode, AttributeChange change, long handle) throws Exception;

    Reply readlink(Caller caller, long inode) throws Exception;

    Reply mknod(Caller caller, long parent, String name, int mode, long rdev) throws Exception;

    Reply mkdir(Caller caller, long parent, String name, int mode) throws Exception;

    Reply unlink(Caller caller, long parent, String name) throws Exception;

    Reply rmdir(Caller caller, long parent, String name) throws Exception;

    Reply symlink(Caller caller, String target, long parent, String name) throws Exception;

    Reply rename(Caller caller, long parent, String name, long newParent, String newName, int flags)
            throws Exception;

    Reply link(Caller caller, long inode, long newParent, String newName) throws Exception;

    /** {@code flags}: the open(2) flags. */
    Reply open(Caller caller, long inode, int flags) throws Exception;

    Reply create(Caller caller, long parent, String name, int mode, int flags) throws Exception;

    /** Reads into {@code target} (native memory of the requested size) and answers {@link Reply.Data}. */
    Reply read(Caller caller, long inode, long handle, long offset, ByteBuffer target) throws Exception;

    Reply write(Caller caller, long inode, long handle, long offset, ByteBuffer source) throws Exception;

    /** Every close(2) of a descriptor; {@code lockOwner} identifies the closing process's POSIX locks. */
    Reply flush(Caller caller, long inode, long handle, long lockOwner) throws Exception;

    /** The last close of an open; {@code flockRelease}: the owner held a flock, which must go now. */
    Reply release(Caller caller, long inode, long handle, long lockOwner, boolean flockRelease) throws Exception;

    Reply fsync(Caller caller, long inode, long handle, boolean dataOnly) throws Exception;

    Reply opendir(Caller caller, long inode, int flags) throws Exception;

    /** Entries after {@code offset} (0 = from the start); at most {@code maxBytes} of them are used. */
    Reply readdir(Caller caller, long inode, long handle, long offset, long maxBytes) throws Exception;

    Reply releasedir(Caller caller, long inode, long handle) throws Exception;

    Reply statfs(Caller caller, long inode) throws Exception;

    Reply setxattr(Caller caller, long inode, String name, byte[] value, int flags) throws Exception;

    /** {@code size} 0 asks for the value's length ({@link Reply.XattrSize}); else ERANGE when it does not fit. */
    Reply getxattr(Caller caller, long inode, String name, long size) throws Exception;

    Reply listxattr(Caller caller, long inode, long size) throws Exception;

    Reply removexattr(Caller caller, long inode, String name) throws Exception;

    Reply access(Caller caller, long inode, int mask) throws Exception;

    /** F_GETLK: answers {@link Reply.Lock} with the conflicting lock, or one of type F_UNLCK. */
    Reply getlk(Caller caller, long inode, long handle, long lockOwner, LockRange lock) throws Exception;

    /**
     * F_SETLK / F_SETLKW ({@code sleep}): waiting ends with EINTR once {@code interrupted}
     * reports that the kernel gave up on the request (the caller got a signal).
     */
    Reply setlk(Caller caller, long inode, long handle, long lockOwner, LockRange lock, boolean sleep,
                Interruption interrupted) throws Exception;

    /** flock(2); {@code operation}: LOCK_SH 1, LOCK_EX 2, LOCK_UN 8, or'ed with LOCK_NB 4. */
    Reply flock(Caller caller, long inode, long handle, long lockOwner, int operation, Interruption interrupted)
            throws Exception;

    /** Whether the kernel has interrupted the request being served. */
    @FunctionalInterface
    interface Interruption {
        boolean interrupted();
    }
}
