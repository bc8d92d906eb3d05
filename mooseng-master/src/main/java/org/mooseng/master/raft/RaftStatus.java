package org.mooseng.master.raft;

import java.util.List;
import java.util.Optional;

/**
 * What one master knows of its Raft group at one moment, for operators ({@code mooseng admin
 * masters}). Addresses are Raft addresses (host:raftPort), the members' identities.
 *
 * @param self               this member
 * @param role               this member's part in the group
 * @param raftState          the Raft library's own name of the state (for diagnosis)
 * @param term               the current term
 * @param lastLogIndex       the last entry in this member's log, committed or not
 * @param commitIndex        the last entry this member knows to be committed
 * @param appliedIndex       the last entry applied to this member's namespace
 * @param leader             the leader, when known
 * @param leaderContactAgeMs milliseconds since this member last heard from the leader; 0 on
 *                           the leader, -1 when unknown
 * @param voters             the group's voting members as this member knows them
 * @param learners           the group's non-voting members
 */
public record RaftStatus(String self, Role role, String raftState, long term, long lastLogIndex, long commitIndex,
                         long appliedIndex, Optional<String> leader, long leaderContactAgeMs, List<String> voters,
                         List<String> learners) {
    /** A member's part in the group. */
    public enum Role {
        LEADER,
        FOLLOWER,
        CANDIDATE,
        /** Receives the log without voting. */
        LEARNER,
        /** Not in the group's configuration: waiting to be added (MASTER_JOIN), or removed. */
        NON_MEMBER,
        /** Not started, stopping, or stopped on an error. */
        INACTIVE
    }

    public RaftStatus {
        voters = List.copyOf(voters);
        learners = List.copyOf(learners);
    }
}
