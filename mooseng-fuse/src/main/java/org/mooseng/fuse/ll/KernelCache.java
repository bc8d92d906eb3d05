package org.mooseng.fuse.ll;

/** What the file system may tell the kernel about its caches outside a request's reply. */
@FunctionalInterface
public interface KernelCache {
    /**
     * Drops the kernel's cached attributes of the inode (not its pages), so the next stat asks
     * the file system. False when the kernel did not take it (inode not cached, not mounted).
     */
    boolean invalidateAttributes(long inode);

    /** For a file system without a mounted session (tests): nothing is cached. */
    KernelCache NONE = inode -> false;
}
