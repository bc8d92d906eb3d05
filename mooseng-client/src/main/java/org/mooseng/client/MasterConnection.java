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
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.mooseng.common.Layout;
import org.mooseng.common.Status;
import org.mooseng.proto.ClusterInfoReply;
import org.mooseng.proto.ClusterInfoRequest;
import org.mooseng.proto.MasterClientServiceGrpc;
import org.mooseng.proto.MasterClientServiceGrpc.MasterClientServiceBlockingStub;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control-plane channel to the master. One gRPC channel multiplexes every call of the
 * client. The cluster id is learnt from ClusterInfo at connect time and sent with every
 * call after that, so a master of another cluster is refused rather than trusted.
 *
 * <p>A reply with status NOT_LEADER carries the leader's client address (empty during an
 * election): the call is sent again there. A master that cannot be reached is replaced by
 * the next configured one. Both are bounded per call; requests that change the namespace
 * carry a request id, so sending one again is safe.
 */
final class MasterConnection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MasterConnection.class);
    private static final Metadata.Key<String> CLUSTER_ID_KEY =
            Metadata.Key.of(Layout.CLUSTER_ID_HEADER, Metadata.ASCII_STRING_MARSHALLER);
    /** Leader redirects followed by one call (an election may move the leader more than once). */
    private static final int MAX_REDIRECTS = 6;
    private static final long RETRY_PAUSE_MS = 150;

    /** One master and the channel to it. */
    private record Endpoint(MasterAddress address, ManagedChannel channel, MasterClientServiceBlockingStub stub) {
    }

    private final List<MasterAddress> masters;
    private final long timeoutMs;
    private final int maxUnreachableAttempts;
    private volatile Endpoint current;
    private volatile String clusterId;
    private int nextMaster;

    private MasterConnection(List<MasterAddress> masters, long timeoutMs, String clusterId) {
        this.masters = masters;
        this.timeoutMs = timeoutMs;
        this.clusterId = clusterId;
        // Every configured master gets a couple of chances before the call fails.
        this.maxUnreachableAttempts = 2 * masters.size() + 1;
        this.current = endpoint(masters.getFirst());
    }

    /** Opens the channel and learns (or checks) the cluster id. */
    static MasterConnection open(ClientOptions options) throws MoosengException {
        MasterConnection connection = new MasterConnection(options.masters(), options.rpcTimeoutMs(),
                options.expectedClusterId().orElse(null));
        try {
            ClusterInfoReply info = connection.call("master " + connection.address(),
                    s -> s.clusterInfo(ClusterInfoRequest.getDefaultInstance()));
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

    /** Runs one RPC with the client's deadline, following leader redirects and skipping unreachable masters. */
    <T> T call(String subject, Function<MasterClientServiceBlockingStub, T> rpc) throws MoosengException {
        int redirects = 0;
        int unreachable = 0;
        while (true) {
            Endpoint endpoint = current;
            T reply;
            try {
                reply = rpc.apply(endpoint.stub().withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS));
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != io.grpc.Status.Code.UNAVAILABLE
                        || ++unreachable >= maxUnreachableAttempts) {
                    throw toException(subject, e, endpoint.address());
                }
                switchTo(endpoint, nextMaster(endpoint.address()));
                pause(unreachable);
                continue;
            }
            String leader = notLeaderRedirect(reply);
            if (leader == null) {
                return reply;
            }
            if (++redirects > MAX_REDIRECTS) {
                throw new MoosengException(Status.NOT_LEADER, subject, "no leader after " + MAX_REDIRECTS
                        + " redirects, last asked " + endpoint.address());
            }
            if (leader.isEmpty()) {
                // An election is going on: give it time, and ask another member meanwhile.
                switchTo(endpoint, nextMaster(endpoint.address()));
                pause(redirects);
            } else {
                switchTo(endpoint, MasterAddress.parse(leader));
            }
        }
    }

    /** The leader address of a NOT_LEADER reply ("" when unknown), or null for any other reply. */
    private static String notLeaderRedirect(Object reply) {
        if (!(reply instanceof Message message)) {
            return null;
        }
        FieldDescriptor status = message.getDescriptorForType().findFieldByName("status");
        if (status == null || status.getJavaType() != FieldDescriptor.JavaType.INT
                || (int) message.getField(status) != Status.NOT_LEADER.code()) {
            return null;
        }
        FieldDescriptor text = message.getDescriptorForType().findFieldByName("message");
        return text == null ? "" : ((String) message.getField(text)).strip();
    }

    private synchronized MasterAddress nextMaster(MasterAddress failed) {
        for (int i = 0; i < masters.size(); i++) {
            MasterAddress candidate = masters.get(nextMaster++ % masters.size());
            if (!candidate.equals(failed) || masters.size() == 1) {
                return candidate;
            }
        }
        return failed;
    }

    /** Moves to another master unless another caller already moved away from {@code seen}. */
    private synchronized void switchTo(Endpoint seen, MasterAddress target) {
        if (current != seen || seen.address().equals(target)) {
            return;
        }
        LOG.debug("master {}: switching to {}", seen.address(), target);
        current = endpoint(target);
        seen.channel().shutdown(); // calls still running on it finish
    }

    private Endpoint endpoint(MasterAddress address) {
        ManagedChannel channel = Grpc.newChannelBuilderForAddress(address.host(), address.port(),
                        InsecureChannelCredentials.create())
                .maxInboundMessageSize(64 << 20)
                .build();
        return new Endpoint(address, channel,
                MasterClientServiceGrpc.newBlockingStub(channel).withInterceptors(new ClusterIdInterceptor()));
    }

    private static void pause(int attempt) throws MoosengException {
        try {
            Thread.sleep(RETRY_PAUSE_MS * attempt);
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
        ManagedChannel channel = current.channel();
        channel.shutdown();
        try {
            if (!channel.awaitTermination(2, TimeUnit.SECONDS)) {
                channel.shutdownNow();
            }
        } catch (InterruptedException e) {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
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
