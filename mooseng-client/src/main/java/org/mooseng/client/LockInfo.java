package org.mooseng.client;

/**
 * The answer of F_GETLK: the first lock of another owner that would block the request, or
 * type {@link LockType#UNLOCK} when none would.
 *
 * @param length    bytes, 0 = to the end of the file
 * @param pid       the pid the holder gave when it took the lock
 * @param sessionId the holder's session
 * @param owner     the holder's lock owner id
 */
public record LockInfo(LockType type, long start, long length, int pid, long sessionId, long owner) {
    public static final LockInfo NONE = new LockInfo(LockType.UNLOCK, 0, 0, 0, 0, 0);

    public boolean isUnlocked() {
        return type == LockType.UNLOCK;
    }
}
