package org.mooseng.cli.bench;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.mooseng.client.MasterAddress;
import org.mooseng.common.Layout;
import org.mooseng.proto.MasterAdminServiceGrpc;
import org.mooseng.proto.MasterAdminServiceGrpc.MasterAdminServiceBlockingStub;
import org.mooseng.proto.MasterRole;
import org.mooseng.proto.RaftStatusReply;
import org.mooseng.proto.RaftStatusRequest;

/**
 * Asks the masters that survive a leader kill for their Raft state every few milliseconds
 * until one of them leads in a newer term. Only the survivors are asked, on channels opened
 * before the kill, so no poll waits for the dying master. {@code admin masters}' survey is not
 * used: it also asks every member the answers name, the killed one included.
 */
final class LeaderWatch implements AutoCloseable {
    private static final Metadata.Key<String> CLUSTER_ID_KEY =
            Metadata.Key.of(Layout.CLUSTER_ID_HEADER, Metadata.ASCII_STRING_MARSHALLER);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(10);
    private static final Duration ANSWER_TIMEOUT = Duration.ofMillis(500);

    /**
     * What the polls saw. {@code leaderlessUntilNanos}: the start of the last poll at which
     * every survivor answered and none led in a newer term (the kill itself when none did);
     * before it no new leader could have acknowledged anything. {@code leaderSeenNanos}: the end
     * of the first poll that found one, {@code leader} its client address and {@code term} its term.
     */
    record Election(long leaderlessUntilNanos, OptionalLong leaderSeenNanos, Optional<MasterAddress> leader,
                    long term) {
    }

    private final List<MasterAddress> survivors;
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final List<MasterAdminServiceBlockingStub> stubs = new ArrayList<>();

    /** Opens a channel to each survivor and waits until each answered once. */
    LeaderWatch(List<MasterAddress> survivors, String clusterId) {
        this.survivors = List.copyOf(survivors);
        Metadata headers = new Metadata();
        headers.put(CLUSTER_ID_KEY, clusterId);
        for (MasterAddress address : survivors) {
            ManagedChannel channel = Grpc.newChannelBuilderForAddress(address.host(), address.port(),
                    InsecureChannelCredentials.create()).build();
            channels.add(channel);
            stubs.add(MasterAdminServiceGrpc.newBlockingStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers)));
        }
        for (int i = 0; i < stubs.size(); i++) {
            if (ask(i, Duration.ofSeconds(5)).isEmpty()) {
                close();
                throw new IllegalStateException("master " + survivors.get(i) + " does not answer before the kill");
            }
        }
    }

    /** Polls until a survivor leads in a term after {@code killedTerm}, or {@code timeout} after the kill. */
    Election await(long killedTerm, long killNanos, Duration timeout) throws InterruptedException {
        long leaderless = killNanos;
        long deadlineNanos = killNanos + timeout.toNanos();
        while (System.nanoTime() - deadlineNanos < 0) {
            long pollNanos = System.nanoTime();
            boolean allAnswered = true;
            for (int i = 0; i < stubs.size(); i++) {
                Optional<RaftStatusReply> reply = ask(i, ANSWER_TIMEOUT);
                if (reply.isEmpty()) {
                    allAnswered = false;
                } else if (reply.get().getRole() == MasterRole.LEADER && reply.get().getTerm() > killedTerm) {
                    return new Election(leaderless, OptionalLong.of(System.nanoTime()), Optional.of(survivors.get(i)),
                            reply.get().getTerm());
                }
            }
            if (allAnswered) {
                leaderless = pollNanos;
            }
            Thread.sleep(POLL_INTERVAL);
        }
        return new Election(leaderless, OptionalLong.empty(), Optional.empty(), killedTerm);
    }

    private Optional<RaftStatusReply> ask(int survivor, Duration timeout) {
        try {
            return Optional.of(stubs.get(survivor).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .raftStatus(RaftStatusRequest.getDefaultInstance()));
        } catch (StatusRuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        channels.forEach(ManagedChannel::shutdownNow);
    }
}
