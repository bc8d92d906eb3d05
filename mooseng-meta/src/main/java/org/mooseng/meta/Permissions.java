package org.mooseng.meta;

import org.mooseng.common.Status;
import org.mooseng.common.StatusException;
import org.mooseng.proto.Credentials;

/** POSIX permission checks: owner, group (primary and supplementary) or other bits; uid 0 bypasses. */
final class Permissions {
    static final int R_OK = 4;
    static final int W_OK = 2;
    static final int X_OK = 1;
    private static final int ANY_EXECUTE_BITS = 0111;

    private Permissions() {
    }

    static boolean isRoot(Credentials cred) {
        return cred.getUid() == 0;
    }

    static boolean isOwner(Credentials cred, InodeRecord inode) {
        return cred.getUid() == inode.uid();
    }

    static boolean isOwnerOrRoot(Credentials cred, InodeRecord inode) {
        return isRoot(cred) || isOwner(cred, inode);
    }

    static boolean inGroup(Credentials cred, int gid) {
        if (cred.getGid() == gid) {
            return true;
        }
        for (int group : cred.getGroupsList()) {
            if (group == gid) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code cred} may access {@code inode} for every bit of {@code mask} (R_OK|W_OK|X_OK). */
    static boolean allows(Credentials cred, InodeRecord inode, int mask) {
        int wanted = mask & 7;
        if (isRoot(cred)) {
            // Root needs an execute bit somewhere to run a file, as on Linux; directories are always searchable.
            boolean executeOk = (wanted & X_OK) == 0 || inode.isDirectory() || (inode.mode() & ANY_EXECUTE_BITS) != 0;
            return executeOk;
        }
        int bits;
        if (isOwner(cred, inode)) {
            bits = (inode.mode() >> 6) & 7;
        } else if (inGroup(cred, inode.gid())) {
            bits = (inode.mode() >> 3) & 7;
        } else {
            bits = inode.mode() & 7;
        }
        return (bits & wanted) == wanted;
    }

    static void require(Credentials cred, InodeRecord inode, int mask) throws StatusException {
        if (!allows(cred, inode, mask)) {
            throw new StatusException(Status.EACCES, "inode " + inode.inode() + ": permission denied (mask "
                    + mask + ", uid " + Integer.toUnsignedString(cred.getUid()) + ")");
        }
    }

    /**
     * In a sticky directory only the owner of the entry, the owner of the directory or root may
     * remove or rename the entry.
     */
    static void requireStickyAllows(Credentials cred, InodeRecord dir, InodeRecord child) throws StatusException {
        if ((dir.mode() & InodeRecord.S_ISVTX) != 0 && !isRoot(cred) && !isOwner(cred, dir)
                && !isOwner(cred, child)) {
            throw new StatusException(Status.EPERM, "inode " + dir.inode() + ": sticky directory, inode "
                    + child.inode() + " belongs to someone else");
        }
    }
}
