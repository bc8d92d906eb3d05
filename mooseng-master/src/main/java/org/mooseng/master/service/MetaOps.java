package org.mooseng.master.service;

import java.time.Clock;
import java.time.Instant;
import org.mooseng.proto.MetaOp;
import org.mooseng.proto.Timespec;

/** Fixes the leader-side fields of a log record before it is proposed. */
final class MetaOps {
    private MetaOps() {
    }

    /**
     * The op with {@code now} set from the leader's clock, so replicas never read their own,
     * and with keep_unnamed_files: this leader holds opens outside the log, so only its purge
     * deletes a regular file without a name.
     */
    static MetaOp stamped(MetaOp.Builder op, Clock clock) {
        Instant now = clock.instant();
        return op.setNow(Timespec.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
                .setKeepUnnamedFiles(true).build();
    }

    /** Whether a client may send this op through the generic Mutate RPC. */
    static boolean isGenericMutation(MetaOp op) {
        return switch (op.getOpCase()) {
            case CREATE, SYMLINK, LINK, UNLINK, RENAME, SET_XATTR, REMOVE_XATTR, SET_GOAL, ACCESS_TIMES -> true;
            case SET_ATTR, CHUNK_WRITE_BEGIN, CHUNK_WRITE_END, FORMAT, SESSION_OPEN, SESSION_EXPIRE, FILE_OPEN,
                 FILE_RELEASE, PURGE_RETAINED, OP_NOT_SET -> false;
        };
    }
}
