package org.mooseng.meta;

import java.util.List;
import java.util.Optional;
import org.mooseng.proto.SessionInfo;

/** Read-only queries on the applied sessions and open files. Safe to call concurrently with apply. */
public interface SessionReader {
    /** Every session with its count of distinct open inodes, in id order. */
    List<SessionInfo> sessions();

    /**
     * The session as stored, without open_files: a point read, for the checks on every
     * session call (counting its opens is a scan that deleted opens make long).
     */
    Optional<SessionInfo> session(long sessionId);

    /** The FileOpenOp flag bits (OPEN_READ, OPEN_WRITE) the session holds on the inode; 0 when not open. */
    int openFlags(long sessionId, long inode);

    /** Whether any session has the inode open. */
    boolean isOpen(long inode);

    /**
     * Inodes without a name, kept while a session has them open or (ops with
     * keep_unnamed_files) until a PurgeRetainedOp deletes them, in id order.
     */
    List<Long> retainedInodes();

    /**
     * A number that changes whenever an applied op retained an inode or dropped an open, so
     * that a file may have become purgeable; while it stays the same, {@link #retainedInodes}
     * need not be looked at again for that reason.
     */
    long purgeGeneration();
}
