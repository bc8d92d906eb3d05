package org.mooseng.cli.admin;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.mooseng.cli.CliException;
import org.mooseng.client.MasterAddress;
import org.mooseng.common.Layout;
import org.mooseng.common.Status;
import org.mooseng.proto.MasterAdminServiceGrpc;
import org.mooseng.proto.MasterAdminServiceGrpc.MasterAdminServiceBlockingStub;
import org.mooseng.proto.MasterMember;
import org.mooseng.proto.MasterRole;
import org.mooseng.proto.RaftStatusReply;
import org.mooseng.proto.RaftStatusRequest;
import org.mooseng.proto.StatusReply;

/**
 * Talks to the admin service of every master of a group (one channel each, on the client
 * port): surveys their Raft state, and sends group changes to the leader. The masters named
 * by the operator are asked first; voting members their answers name are asked too, so one
 * reachable master is enough to see the whole group (learners, i.e. metaloggers, have no
 * admin service and are left out).
 */
public final class MasterGroupClient implements AutoCloseable {
    private static final Metadata.Key<String> CLUSTER_ID_KEY =
            Metadata.Key.of(Layout.CLUSTER_ID_HEADER, Metadata.ASCII_STRING_MARSHALLER);
    /** Rounds of asking members named by earlier answers; a group has at most a handful of members. */
    private static final int DISCOVERY_ROUNDS = 3;
    /** NOT_LEADER redirects followed by one group change. */
    private static final int MAX_REDIRECTS = 3;

    /** One master as the survey found it: its answer, or why there was none. */
    public record Member(MasterAddress address, Optional<RaftStatusReply> status, String error) {
        public boolean isLeader() {
            return status.map(s -> s.getRole() == MasterRole.LEADER).orElse(false);
        }

        public String raftAddress() {
            return status.map(s -> s.getSelf().getRaftAddress()).orElse("");
        }
    }

    private final String clusterId;
    private final Map<MasterAddress, ManagedChannel> channels = new LinkedHashMap<>();
    private final ExecutorService askers = Executors.newVirtualThreadPerTaskExecutor();

    /** {@code clusterId} is sent with every call when known (null: none, any cluster answers). */
    public MasterGroupClient(String clusterId) {
        this.clusterId = clusterId;
    }

    /**
     * Asks every master in {@code masters}, and every member their answers name, for its Raft
     * state, in parallel. Members appear once each (by Raft address), in the order given, then
     * in the order discovered.
     */
    public List<Member> survey(List<MasterAddress> masters, Duration timeout) throws InterruptedException {
        List<Member> found = new ArrayList<>();
        Set<MasterAddress> asked = new LinkedHashSet<>();
        Set<String> raftAddresses = new LinkedHashSet<>();
        List<MasterAddress> next = List.copyOf(new LinkedHashSet<>(masters));
        for (int round = 0; round < DISCOVERY_ROUNDS && !next.isEmpty(); round++) {
            asked.addAll(next);
            List<Future<Member>> answers = new ArrayList<>();
            for (MasterAddress address : next) {
                answers.add(askers.submit(() -> ask(address, timeout)));
            }
            List<MasterAddress> named = new ArrayList<>();
            for (Future<Member> answer : answers) {
                Member member = get(answer);
                if (member.status().isPresent() && !raftAddresses.add(member.raftAddress())) {
                    continue; // the same master under another name
                }
                found.add(member);
                member.status().ifPresent(s -> {
                    for (MasterMember m : s.getVotersList()) {
                        if (!m.getClientAddress().isEmpty() && !raftAddresses.contains(m.getRaftAddress())) {
                            MasterAddress address = MasterAddress.parse(m.getClientAddress());
                            if (!asked.contains(address) && !named.contains(address)) {
                                named.add(address);
                            }
                        }
                    }
                });
            }
            next = named;
        }
        return found;
    }

    /** The one leader among {@code members}; the highest term wins if a deposed one has not noticed yet. */
    public static Optional<Member> leader(List<Member> members) {
        return members.stream().filter(Member::isLeader)
                .max(java.util.Comparator.comparingLong(m -> m.status().orElseThrow().getTerm()));
    }

    /**
     * Sends a group change to the leader among {@code members}, following NOT_LEADER replies.
     * Fails with a {@link CliException} when no leader is known or the change is refused.
     */
    public StatusReply changeOnLeader(List<Member> members, Duration timeout,
                                      Function<MasterAdminServiceBlockingStub, StatusReply> change) {
        Member leader = leader(members).orElseThrow(() -> new CliException("no leader among the masters "
                + members.stream().map(m -> m.address().toString()).toList() + " (an election may be going on)"));
        MasterAddress target = leader.address();
        for (int redirect = 0; ; redirect++) {
            StatusReply reply;
            try {
                reply = change.apply(stub(target).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS));
            } catch (StatusRuntimeException e) {
                throw new CliException("master " + target + ": " + e.getStatus().getCode()
                        + (e.getStatus().getDescription() == null ? "" : " " + e.getStatus().getDescription()));
            }
            if (reply.getStatus() == Status.NOT_LEADER.code() && !reply.getMessage().isBlank()
                    && redirect < MAX_REDIRECTS) {
                target = MasterAddress.parse(reply.getMessage());
                continue;
            }
            if (reply.getStatus() != 0) {
                Status status = Status.fromCode(reply.getStatus());
                throw new CliException("master " + target + ": " + status.name() + " (" + status.description() + ")"
                        + (reply.getMessage().isBlank() ? "" : ": " + reply.getMessage()));
            }
            return reply;
        }
    }

    private Member ask(MasterAddress address, Duration timeout) {
        try {
            RaftStatusReply reply = stub(address).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .raftStatus(RaftStatusRequest.getDefaultInstance());
            return new Member(address, Optional.of(reply), "");
        } catch (StatusRuntimeException e) {
            String description = e.getStatus().getDescription();
            return new Member(address, Optional.empty(), e.getStatus().getCode()
                    + (description == null ? "" : ": " + description));
        }
    }

    private synchronized MasterAdminServiceBlockingStub stub(MasterAddress address) {
        ManagedChannel channel = channels.computeIfAbsent(address, a -> Grpc.newChannelBuilderForAddress(a.host(),
                a.port(), InsecureChannelCredentials.create()).build());
        Metadata headers = new Metadata();
        if (clusterId != null) {
            headers.put(CLUSTER_ID_KEY, clusterId);
        }
        return MasterAdminServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    private static Member get(Future<Member> answer) throws InterruptedException {
        try {
            return answer.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("survey of a master failed", e.getCause());
        }
    }

    @Override
    public synchronized void close() {
        askers.shutdownNow();
        for (ManagedChannel channel : channels.values()) {
            channel.shutdownNow();
        }
        for (ManagedChannel channel : channels.values()) {
            try {
                channel.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
