package org.mooseng.client;

/** A lock request or held lock: fcntl's F_UNLCK / F_RDLCK / F_WRLCK, flock's LOCK_UN / LOCK_SH / LOCK_EX. */
public enum LockType {
    UNLOCK,
    SHARED,
    EXCLUSIVE;

    org.mooseng.proto.LockType toProto() {
        return switch (this) {
            case UNLOCK -> org.mooseng.proto.LockType.LOCK_UNLOCK;
            case SHARED -> org.mooseng.proto.LockType.LOCK_SHARED;
            case EXCLUSIVE -> org.mooseng.proto.LockType.LOCK_EXCLUSIVE;
        };
    }

    static LockType from(org.mooseng.proto.LockType type) {
        return switch (type) {
            case LOCK_SHARED -> SHARED;
            case LOCK_EXCLUSIVE -> EXCLUSIVE;
            case LOCK_UNLOCK, UNRECOGNIZED -> UNLOCK;
        };
    }
}
