package org.mooseng.master.service;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import io.grpc.stub.StreamObserver;
import org.mooseng.common.Status;
import org.mooseng.master.raft.RaftNode;
import org.mooseng.master.raft.RaftStatus;
import org.mooseng.proto.MasterAdminServiceGrpc;
import org.mooseng.proto.MasterMember;
import org.mooseng.proto.MasterRole;
import org.mooseng.proto.MembershipRequest;
import org.mooseng.proto.RaftStatusReply;
import org.mooseng.proto.RaftStatusRequest;
import org.mooseng.proto.StatusReply;
import org.mooseng.proto.TransferLeaderRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master group as operators see it, on the client port: this member's Raft state on any
 * member, and leadership transfer and membership changes on the leader (NOT_LEADER with the
 * leader's client address elsewhere, as every client call).
 */
public final class MasterAdminService extends MasterAdminServiceGrpc.MasterAdminServiceImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(MasterAdminService.class);

    private final RaftNode raft;
    private final Supplier<String> selfClientAddress;

    /** {@code selfClientAddress} is read per call: the client port may be bound after this is built. */
    public MasterAdminService(RaftNode raft, Supplier<String> selfClientAddress) {
        this.raft = raft;
        this.selfClientAddress = selfClientAddress;
    }

    @Override
    public void raftStatus(RaftStatusRequest req, StreamObserver<RaftStatusReply> out) {
        RaftStatus status = raft.status();
        RaftStatusReply.Builder reply = RaftStatusReply.newBuilder()
                .setSelf(MasterMember.newBuilder().setRaftAddress(status.self())
                        .setClientAddress(selfClientAddress.get()))
                .setRole(role(status.role()))
                .setRaftState(status.raftState())
                .setTerm(status.term())
                .setLastLogIndex(status.lastLogIndex())
                .setCommitIndex(status.commitIndex())
                .setAppliedIndex(status.appliedIndex())
                .setLeaderContactAgeMs(status.leaderContactAgeMs());
        status.leader().ifPresent(leader -> reply.setLeader(member(leader, status.self())));
        status.voters().forEach(voter -> reply.addVoters(member(voter, status.self())));
        // Learners (metaloggers) serve no client port: only their Raft address is known.
        status.learners().forEach(learner -> reply.addLearners(MasterMember.newBuilder().setRaftAddress(learner)));
        out.onNext(reply.build());
        out.onCompleted();
    }

    @Override
    public void transferLeader(TransferLeaderRequest req, StreamObserver<StatusReply> out) {
        change(out, "transfer leadership to", req.getRaftAddress(), raft::transferLeadership);
    }

    @Override
    public void addMaster(MembershipRequest req, StreamObserver<StatusReply> out) {
        change(out, "add master", req.getRaftAddress(), raft::addMember);
    }

    @Override
    public void removeMaster(MembershipRequest req, StreamObserver<StatusReply> out) {
        change(out, "remove master", req.getRaftAddress(), raft::removeMember);
    }

    private void change(StreamObserver<StatusReply> out, String action, String raftAddress,
                        java.util.function.Function<String, CompletableFuture<RaftNode.GroupChange>> change) {
        Optional<String> invalid = checkAddress(raftAddress);
        if (invalid.isPresent()) {
            out.onNext(StatusReply.newBuilder().setStatus(Status.EINVAL.code())
                    .setMessage(action + " '" + raftAddress + "': " + invalid.get()).build());
            out.onCompleted();
            return;
        }
        CompletableFuture<RaftNode.GroupChange> future;
        try {
            future = change.apply(raftAddress.strip());
        } catch (RuntimeException e) {
            future = CompletableFuture.failedFuture(e);
        }
        future.whenComplete((result, error) -> {
            if (error != null) {
                LOG.warn("{} {} failed", action, raftAddress, error);
                out.onNext(StatusReply.newBuilder().setStatus(Status.EIO.code()).setMessage(action + " "
                        + raftAddress + ": " + error).build());
            } else {
                out.onNext(StatusReply.newBuilder().setStatus(result.status().code()).setMessage(result.message())
                        .build());
            }
            out.onCompleted();
        });
    }

    /** Why a Raft address is unusable, if it is. */
    private static Optional<String> checkAddress(String raftAddress) {
        String s = raftAddress.strip();
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            return Optional.of("expected host:raftPort");
        }
        try {
            int port = Integer.parseInt(s.substring(colon + 1));
            return port > 0 && port <= 65535 ? Optional.empty() : Optional.of("port out of range");
        } catch (NumberFormatException e) {
            return Optional.of("expected host:raftPort");
        }
    }

    private MasterMember member(String raftAddress, String self) {
        String client = raftAddress.equals(self) ? selfClientAddress.get()
                : raft.clientAddressOf(raftAddress).orElse("");
        return MasterMember.newBuilder().setRaftAddress(raftAddress).setClientAddress(client).build();
    }

    private static MasterRole role(RaftStatus.Role role) {
        return switch (role) {
            case LEADER -> MasterRole.LEADER;
            case FOLLOWER -> MasterRole.FOLLOWER;
            case CANDIDATE -> MasterRole.CANDIDATE;
            case LEARNER -> MasterRole.LEARNER;
            case NON_MEMBER -> MasterRole.NON_MEMBER;
            case INACTIVE -> MasterRole.INACTIVE;
        };
    }
}
