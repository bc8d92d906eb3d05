package org.mooseng.master.raft;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What the Raft adapter needs to know about its group.
 *
 * @param self             this member as host:raftPort (its identity in {@code members})
 * @param bindHost         local address the Raft port binds to
 * @param members          every member, this one included; empty = join an existing group: start
 *                         with no configuration (neither voting nor standing for election)
 *                         until the leader adds this member
 * @param dir              directory of the Raft log, its metadata and snapshots
 * @param electionTimeoutMs silence from the leader after which a follower starts an election
 * @param snapshotIntervalS how often the state machine is checkpointed into a snapshot
 * @param clientPort       the client port masters of this group listen on; 0 = unknown
 */
public record RaftSettings(String self, String bindHost, List<String> members, Path dir, int electionTimeoutMs,
                           int snapshotIntervalS, int clientPort) {
    public RaftSettings {
        Objects.requireNonNull(self);
        Objects.requireNonNull(bindHost);
        members = List.copyOf(members);
        Objects.requireNonNull(dir);
        if (!members.isEmpty() && !members.contains(self)) {
            throw new IllegalArgumentException("master " + self + " is not among the group members " + members);
        }
    }

    /** Whether this member waits to be added to an existing group. */
    public boolean joining() {
        return members.isEmpty();
    }
}
