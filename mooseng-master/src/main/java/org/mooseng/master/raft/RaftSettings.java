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
 * @param minFreeBytes     free space below which, on the file system of {@code dir}, this member
 *                         stops (no longer leads nor votes) rather than run into a write it cannot
 *                         make; 0 = only when a write actually fails
 */
public record RaftSettings(String self, String bindHost, List<String> members, Path dir, int electionTimeoutMs,
                           int snapshotIntervalS, int clientPort, long minFreeBytes) {
    /**
     * The default reserve: room for one flush of a RocksDB memtable (64 MiB by default, in the
     * Raft log as in the namespace store), so the member stops before a flush fails half-way.
     * Writes into space RocksDB has preallocated still succeed on a full disk, so without a
     * reserve a full disk may go unnoticed until the next flush or file rotation.
     */
    public static final long DEFAULT_MIN_FREE_BYTES = 64L << 20;

    public RaftSettings {
        Objects.requireNonNull(self);
        Objects.requireNonNull(bindHost);
        members = List.copyOf(members);
        Objects.requireNonNull(dir);
        if (!members.isEmpty() && !members.contains(self)) {
            throw new IllegalArgumentException("master " + self + " is not among the group members " + members);
        }
        if (minFreeBytes < 0) {
            throw new IllegalArgumentException("master " + self + ": negative free space reserve " + minFreeBytes);
        }
    }

    /** Settings with the default free space reserve. */
    public RaftSettings(String self, String bindHost, List<String> members, Path dir, int electionTimeoutMs,
                        int snapshotIntervalS, int clientPort) {
        this(self, bindHost, members, dir, electionTimeoutMs, snapshotIntervalS, clientPort, DEFAULT_MIN_FREE_BYTES);
    }

    /** Whether this member waits to be added to an existing group. */
    public boolean joining() {
        return members.isEmpty();
    }
}
