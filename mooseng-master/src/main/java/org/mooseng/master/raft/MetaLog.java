package org.mooseng.master.raft;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.mooseng.proto.MetaOp;
import org.mooseng.proto.MetaResult;

/** What the services need of the replicated log; {@link RaftNode} is the implementation. */
public interface MetaLog {
    /** Commits and applies the op; NOT_LEADER at once on a member that is not the ready leader. */
    CompletableFuture<MetaResult> propose(MetaOp op);

    boolean isLeader();

    /**
     * Completes with true once this member has confirmed with a majority that it still leads
     * and has applied everything committed so far (Raft read index): a read made after it
     * sees every change acknowledged before the read began. False when it no longer leads.
     */
    CompletableFuture<Boolean> readBarrier();

    /** host:clientPort of the leader, when known. */
    Optional<String> leaderClientAddress();

    /** host:raftPort of the leader, when known. */
    Optional<String> leaderRaftAddress();

    long commitIndex();

    long appliedIndex();
}
