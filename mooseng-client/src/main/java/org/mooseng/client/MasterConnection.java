package org.mooseng.client;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.mooseng.common.Layout;
import org.mooseng.common.Status;
import org.mooseng.proto.ClusterInfoReply;
import org.mooseng.proto.ClusterInfoRequest;
import org.mooseng.proto.MasterClientServiceGrpc;
import org.mooseng.proto.MasterClientServiceGrpc.MasterClientServiceBlockingStub;
import org.mooseng.protocol.rpc.BlockingFramedChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control-plane channels to the masters. One gRPC channel per master multiplexes every
 * call of the client. The cluster id is learnt from ClusterInfo at connect time and sent with
 * every call after that, so a master of another cluster is refused rather than trusted.
 *
 * <p>A call is sent again, the same request, whenever its outcome is unknown or no leader
 * answered: the master could not be reached or the connection dropped (UNAVAILABLE), the
 * deadline passed (DEADLINE_EXCEEDED), or the reply was NOT_LEADER (a follower naming the
 * leader, an election going on, or a proposal the old leader could not commit). A NOT_LEADER
 * naming a leader is followed at once; otherwise the call moves to the next configured master
 * after a pause that doubles from {@value #FIRST_PAUSE_MS} to {@value #MAX_PAUSE_MS} ms. It
 * gives up {@link ClientOptions#failoverTimeoutMs()} after its first failure. A NOT_READY reply
 * (a leader that started too recently to know every chunk server) is asked again, with the
 * same pauses and the same bound. Any other reply, success or errno, ends it: a definite
 * answer is never retried. Changes carry a request id
 * chosen once per change (see {@link MasterNamespace}), so the master applies a resent change
 * once and answers it with the first result.
 *
 * <p>Connecting is stricter: ClusterInfo is answered by any member, so when none of the
 * configured masters can be reached after {@link #CONNECT_PASSES} passes over the list, the
 * connect fails then rather than waiting out the failover timeout (which still bounds it).
 */
final class MasterConnection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MasterConnection.class);
    private static final Metadata.Key<String> CLUSTER_ID_KEY =
            Metadata.Key.of(Layout.CLUSTER_ID_HEADER, Metadata.ASCII_STRING_MARSHALLER);
    static final long FIRST_PAUSE_MS = 25;
    static final long MAX_PAUSE_MS = 100;
    /** Passes over the configured masters before a connect gives up. */
    static final int CONNECT_PASSES = 2;

    /**
     * One master and the channels to it: gRPC on its client port, and framed RPC (the same
     * service, cheaper per call) once the master has said on which port it serves it.
     */
    private record Framed(BlockingFramedChannel channel, MasterClientServiceBlockingStub stub) {
    }

    private final class Endpoint {
        private final MasterAddress address;
        private final ManagedChannel channel;
        private final MasterClientServiceBlockingStub grpcStub;
        /** The framed channel and its stub, once known (null: gRPC). */
        private volatile Framed framed;
        /** Whether the master answered where it serves framed RPC (0: it does not). */
        private volatile boolean transportKnown;

        Endpoint(MasterAddress address, ManagedChannel channel) {
            this.address = address;
            this.channel = channel;
            this.grpcStub = MasterClientServiceGrpc.newBlockingStub(channel).withInterceptors(new ClusterIdInterceptor());
        }

        MasterAddress address() {
            return address;
        }

        ManagedChannel channel() {
            return channel;
        }

        MasterClientServiceBlockingStub stub() {
            Framed current = framed;
            return current != null ? current.stub() : grpcStub;
        }

        /**
         * Asks the master, once, where it serves framed RPC and uses that from then on. A master
         * that cannot be reached fails this like the call it precedes (and is asked again next
         * time); one that refuses the question is talked to over gRPC.
         */
        void learnTransport(long timeoutMs) {
            if (transportKnown || clusterId == null) {
                return; // connecting: the connect's own cluster info answers it
            }
            ClusterInfoReply info;
            try {
                info = grpcStub.withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS)
                        .clusterInfo(ClusterInfoRequest.getDefaultInstance());
            } catch (StatusRuntimeException e) {
                if (outcomeUnknown(e.getStatus())) {
                    throw e;
                }
                info = ClusterInfoReply.getDefaultInstance();
            }
            useTransport(info);
        }

        synchronized void useTransport(ClusterInfoReply info) {
            if (transportKnown) {
                return;
            }
            transportKnown = true;
            int port = info.getClientRpcPort();
            if (port > 0) {
                BlockingFramedChannel channel = new BlockingFramedChannel(address.host(), port);
                framed = new Framed(channel, MasterClientServiceGrpc.newBlockingStub(channel)
                        .withInterceptors(new ClusterIdInterceptor()));
                LOG.debug("master {}: framed RPC on port {}", address, port);
            }
        }

        /**
         * After a call failed without an answer: the master may have restarted on another framed
         * port, so it is asked again before the next call.
         */
        synchronized void forgetTransport() {
            Framed current = framed;
            if (current == null) {
                return;
            }
            framed = null;
            transportKnown = false;
            Thread.startVirtualThread(current.channel()::close); // waits for its I/O thread: not on the caller's time
        }

        void shutdown() {
            channel.shutdown();
            Framed current = framed;
            if (current != null) {
                current.channel().close();
            }
        }
    }

    private final List<MasterAddress> masters;
    private final long timeoutMs;
    private final long failoverTimeoutNanos;
    /** Channels by master, opened on first use and kept: a failover moves back and forth between a few. */
    private final Map<MasterAddress, Endpoint> endpoints = new ConcurrentHashMap<>();
    private volatile Endpoint current;
    /** The master the last reply came from; null before the first. */
    private volatile MasterAddress answeredBy;
    private volatile Runnable anotherMasterAnswered = () -> { };
    private volatile String clusterId;
    private volatile boolean closed;
    private int nextMaster;

    private MasterConnection(List<MasterAddress> masters, long timeoutMs, long failoverTimeoutMs, String clusterId) {
        this.masters = masters;
        this.timeoutMs = timeoutMs;
        this.failoverTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(failoverTimeoutMs);
        this.clusterId = clusterId;
        this.current = endpoint(masters.getFirst());
    }

    /** Opens the channel and learns (or checks) the cluster id. */
    static MasterConnection open(ClientOptions options) throws MoosengException {
        MasterConnection connection = new MasterConnection(options.masters(), options.rpcTimeoutMs(),
                options.failoverTimeoutMs(), options.expectedClusterId().orElse(null));
        try {
            ClusterInfoReply info = connection.call("master " + connection.address(),
                    s -> s.clusterInfo(ClusterInfoRequest.getDefaultInstance()),
                    CONNECT_PASSES * options.masters().size());
            String expected = options.expectedClusterId().orElse(null);
            if (expected != null && !expected.equals(info.getClusterId())) {
                throw new MoosengException(Status.WRONG_CLUSTER, "master " + connection.address(),
                        "expected cluster " + expected + ", master serves " + info.getClusterId());
            }
            connection.clusterId = info.getClusterId();
            return connection;
        } catch (MoosengException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    String clusterId() {
        return clusterId;
    }

    /** The master currently talked to. */
    String address() {
        return current.address().toString();
    }

    /**
     * Runs {@code listener} (on the caller's thread: it must be quick) whenever a reply comes
     * from another master than the reply before: after a failover or a redirect to the leader.
     */
    void onAnswerFromAnotherMaster(Runnable listener) {
        anotherMasterAnswered = listener;
    }

    /**
     * Runs one RPC with the client's deadline, following leader redirects, skipping unreachable
     * masters and waiting out elections for up to the failover timeout. {@code rpc} may run
     * several times with the same request: it must not build a new request id per run.
     */
    <T> T call(String subject, Function<MasterClientServiceBlockingStub, T> rpc) throws MoosengException {
        return call(subject, rpc, Integer.MAX_VALUE);
    }

    private <T> T call(String subject, Function<MasterClientServiceBlockingStub, T> rpc, int maxRetries)
            throws MoosengException {
        long giveUpAt = 0;
        int retries = 0;
        int redirects = 0;
        while (true) {
            Endpoint endpoint = current;
            T reply;
            try {
                endpoint.learnTransport(timeoutMs);
                reply = rpc.apply(endpoint.stub().withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS));
            } catch (StatusRuntimeException e) {
                if (!outcomeUnknown(e.getStatus())) {
                    throw toException(subject, e, endpoint.address());
                }
                if (retries == 0) {
                    giveUpAt = System.nanoTime() + failoverTimeoutNanos;
                }
                if (retries >= maxRetries || System.nanoTime() - giveUpAt >= 0 || closed) {
                    throw toException(subject, e, endpoint.address());
                }
                LOG.debug("{}: {} from master {}, trying another", subject, e.getStatus().getCode(),
                        endpoint.address());
                endpoint.forgetTransport();
                switchTo(endpoint, nextMaster(endpoint.address()));
                // gRPC waits out its own back-off (up to minutes) before it connects again to a
                // master it could not reach; the next try should really try.
                current.channel().resetConnectBackoff();
                pause(++retries, giveUpAt);
                continue;
            }
            int status = replyStatus(reply);
            if (status == Status.NOT_READY.code()) {
                // The leader is still hearing from chunk servers after its start: ask it again.
                if (retries == 0) {
                    giveUpAt = System.nanoTime() + failoverTimeoutNanos;
                }
                if (retries >= maxRetries || System.nanoTime() - giveUpAt >= 0 || closed) {
                    return reply;
                }
                pause(++retries, giveUpAt);
                continue;
            }
            String leader = status == Status.NOT_LEADER.code() ? replyMessage(reply) : null;
            if (leader == null) {
                answered(endpoint.address());
                if (reply instanceof ClusterInfoReply info) {
                    endpoint.useTransport(info);
                }
                return reply;
            }
            if (retries == 0) {
                giveUpAt = System.nanoTime() + failoverTimeoutNanos;
            }
            if (retries >= maxRetries || System.nanoTime() - giveUpAt >= 0 || closed) {
                throw new MoosengException(Status.NOT_LEADER, subject, "no leader within "
                        + TimeUnit.NANOSECONDS.toMillis(failoverTimeoutNanos) + " ms, last asked "
                        + endpoint.address() + (leader.isEmpty() ? "" : ", which named " + leader));
            }
            retries++;
            MasterAddress named = leaderAddress(leader);
            if (named == null || named.equals(endpoint.address())) {
                // An election is going on (or the leader lost its post while proposing): give it
                // time, and ask another member meanwhile.
                switchTo(endpoint, nextMaster(endpoint.address()));
                pause(retries, giveUpAt);
            } else {
                switchTo(endpoint, named);
                if (++redirects > masters.size()) {
                    // Members disagree on who leads (stale views during a change): slow down.
                    pause(retries, giveUpAt);
                }
            }
        }
    }

    /**
     * Whether a call that failed with this status may have reached the master, or may succeed
     * elsewhere. Besides UNAVAILABLE and DEADLINE_EXCEEDED, gRPC reports a connection closed
     * under a call in flight (a master killed mid-call) as UNKNOWN with the closed channel as
     * its cause: the outcome is just as unknown, and a resend carries the same request id.
     */
    static boolean outcomeUnknown(io.grpc.Status status) {
        io.grpc.Status.Code code = status.getCode();
        if (code == io.grpc.Status.Code.UNAVAILABLE || code == io.grpc.Status.Code.DEADLINE_EXCEEDED) {
            return true;
        }
        if (code != io.grpc.Status.Code.UNKNOWN) {
            return false;
        }
        for (Throwable cause = status.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof java.nio.channels.ClosedChannelException || cause instanceof java.net.SocketException) {
                return true;
            }
        }
        String description = status.getDescription();
        return description != null && description.contains("channel closed");
    }

    private void answered(MasterAddress address) {
        MasterAddress before = answeredBy;
        if (!address.equals(before)) {
            answeredBy = address;
            if (before != null) {
                anotherMasterAnswered.run();
            }
        }
    }

    /** The status field of a reply, 0 when it has none. */
    private static int replyStatus(Object reply) {
        if (!(reply instanceof Message message)) {
            return 0;
        }
        FieldDescriptor status = message.getDescriptorForType().findFieldByName("status");
        if (status == null || status.getJavaType() != FieldDescriptor.JavaType.INT) {
            return 0;
        }
        return (int) message.getField(status);
    }

    /** The message field of a reply, stripped ("" when it has none): a NOT_LEADER's leader address. */
    private static String replyMessage(Object reply) {
        Message message = (Message) reply;
        FieldDescriptor text = message.getDescriptorForType().findFieldByName("message");
        return text == null ? "" : ((String) message.getField(text)).strip();
    }

    /** The address a NOT_LEADER reply names, or null when it names none (or nothing usable). */
    private static MasterAddress leaderAddress(String leader) {
        if (leader.isEmpty()) {
            return null;
        }
        try {
            return MasterAddress.parse(leader);
        } catch (IllegalArgumentException e) {
            LOG.debug("master named an unusable leader address '{}'", leader);
            return null;
        }
    }

    /** The configured master after {@code failed} in round-robin order, never {@code failed} itself when there is another. */
    private synchronized MasterAddress nextMaster(MasterAddress failed) {
        for (int i = 0; i < masters.size(); i++) {
            MasterAddress candidate = masters.get(Math.floorMod(nextMaster++, masters.size()));
            if (!candidate.equals(failed) || masters.size() == 1) {
                return candidate;
            }
        }
        return failed;
    }

    /** Moves to another master unless another caller already moved away from {@code seen}. */
    private synchronized void switchTo(Endpoint seen, MasterAddress target) {
        if (closed || current != seen || seen.address().equals(target)) {
            return;
        }
        LOG.debug("master {}: switching to {}", seen.address(), target);
        current = endpoint(target);
    }

    private Endpoint endpoint(MasterAddress address) {
        return endpoints.computeIfAbsent(address, a -> {
            ManagedChannel channel = Grpc.newChannelBuilderForAddress(a.host(), a.port(),
                            InsecureChannelCredentials.create())
                    .maxInboundMessageSize(64 << 20)
                    .build();
            return new Endpoint(a, channel);
        });
    }

    /** Sleeps before retry number {@code retry}, never past {@code giveUpAt} (a System.nanoTime value). */
    private static void pause(int retry, long giveUpAt) throws MoosengException {
        long pauseMs = Math.min(MAX_PAUSE_MS, FIRST_PAUSE_MS << Math.min(retry - 1, 20));
        long leftMs = TimeUnit.NANOSECONDS.toMillis(giveUpAt - System.nanoTime());
        try {
            Thread.sleep(Math.max(0, Math.min(pauseMs, leftMs)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MoosengException(Status.EIO, "master call", "interrupted", e);
        }
    }

    private static MoosengException toException(String subject, StatusRuntimeException e, MasterAddress address) {
        io.grpc.Status s = e.getStatus();
        String detail = "master " + address + ": " + s.getCode()
                + (s.getDescription() == null ? "" : " " + s.getDescription());
        Status status = switch (s.getCode()) {
            case UNAVAILABLE -> Status.ECONNREFUSED;
            case DEADLINE_EXCEEDED -> Status.ETIMEDOUT;
            case PERMISSION_DENIED, UNAUTHENTICATED -> Status.EACCES;
            case UNIMPLEMENTED -> Status.ENOSYS;
            case FAILED_PRECONDITION -> s.getDescription() != null && s.getDescription().contains("cluster id")
                    ? Status.WRONG_CLUSTER : Status.EIO;
            default -> Status.EIO;
        };
        return new MoosengException(status, subject, detail, e);
    }

    @Override
    public void close() {
        closed = true;
        List<Endpoint> open = List.copyOf(endpoints.values());
        open.forEach(Endpoint::shutdown);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        for (Endpoint endpoint : open) {
            ManagedChannel channel = endpoint.channel();
            try {
                long leftNanos = deadline - System.nanoTime();
                if (leftNanos <= 0 || !channel.awaitTermination(leftNanos, TimeUnit.NANOSECONDS)) {
                    channel.shutdownNow();
                }
            } catch (InterruptedException e) {
                channel.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Adds the cluster id header once it is known. */
    private final class ClusterIdInterceptor implements ClientInterceptor {
        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                @Override
                public void start(Listener<R> listener, Metadata headers) {
                    String id = clusterId;
                    if (id != null) {
                        headers.put(CLUSTER_ID_KEY, id);
                    }
                    super.start(listener, headers);
                }
            };
        }
    }
}
