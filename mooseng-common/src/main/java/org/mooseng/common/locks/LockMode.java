package org.mooseng.common.locks;

/** How a lock is held: fcntl's F_RDLCK / F_WRLCK, flock's LOCK_SH / LOCK_EX. */
public enum LockMode {
    SHARED,
    EXCLUSIVE;

    /** Whether two different owners may not hold these modes on the same bytes at once. */
    public boolean conflictsWith(LockMode other) {
        return this == EXCLUSIVE || other == EXCLUSIVE;
    }

    /** Whether holding this mode already gives everything a request for {@code requested} asks. */
    public boolean covers(LockMode requested) {
        return this == EXCLUSIVE || requested == SHARED;
    }
}
