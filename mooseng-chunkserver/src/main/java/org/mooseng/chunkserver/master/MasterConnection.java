package org.mooseng.chunkserver.master;

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
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.mooseng.chunkserver.store.ChunkStore;
import org.mooseng.chunkserver.store.StoredChunk;
import org.mooseng.common.ChunkId;
import org.mooseng.common.ChunkVersion;
import org.mooseng.common.Layout;
import org.mooseng.common.Status;
import org.mooseng.common.StatusException;
import org.mooseng.proto.ChunkRaiseOrder;
import org.mooseng.proto.ChunkReport;
import org.mooseng.proto.HeartbeatReply;
import org.mooseng.proto.HeartbeatRequest;
import org.mooseng.proto.MasterChunkServerServiceGrpc;
import org.mooseng.proto.RegisterReply;
import org.mooseng.proto.RegisterRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chunk server's link to one master (masterconn): registers with the full replica list,
 * then heartbeats every interval with space and the replica changes since the last one (its
 * own {@link ChunkChangeTracker}, so each master hears of every change), and executes the
 * deletions the master answers with (only a leader sends any). After a lost connection or an
 * ENOENT reply it registers again. A master that does not answer is retried with a doubling
 * wait up to {@code retryMaxMs}, on this link's own thread, so it never delays the others.
 * A cluster-id mismatch is logged and retried, never acted upon.
 */
public final class MasterConnection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MasterConnection.class);
    private static final long REPEAT_LOG_INTERVAL_MS = 60_000;

    /** Which master, where this server is reached, and how often it talks to the master. */
    public record Settings(MasterEndpoint master, String advertiseHost, int dataPort, long heartbeatIntervalMs,
                           long callTimeoutMs, long retryMaxMs) {
        public Settings {
            if (heartbeatIntervalMs <= 0 || callTimeoutMs <= 0 || retryMaxMs < heartbeatIntervalMs) {
                throw new IllegalArgumentException("master " + master + ": intervals must be positive and the"
                        + " longest retry wait at least the heartbeat interval");
            }
        }
    }

    private final Settings settings;
    private final ServerIdentity identity;
    private final ChunkStore store;
    private final ChunkChangeTracker changes;
    private final ManagedChannel channel;
    private final MasterChunkServerServiceGrpc.MasterChunkServerServiceBlockingStub stub;
    private final ScheduledExecutorService loop;
    private final RateLimitedLog repeatedProblems = new RateLimitedLog(LOG, REPEAT_LOG_INTERVAL_MS);
    private volatile boolean registered;
    private volatile boolean closing;
    /** Consecutive failed rounds; the next round waits interval * 2^failures, capped. Loop thread only. */
    private int failures;

    private MasterConnection(Settings settings, ServerIdentity identity, ChunkStore store,
                             ChunkChangeTracker changes) {
        this.settings = settings;
        this.identity = identity;
        this.store = store;
        this.changes = changes;
        this.channel = Grpc.newChannelBuilderForAddress(settings.master().host(), settings.master().port(),
                InsecureChannelCredentials.create()).build();
        this.stub = MasterChunkServerServiceGrpc.newBlockingStub(channel).withInterceptors(new ClusterIdHeader());
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "masterconn-" + settings.master());
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts registering and heartbeating in the background; returns at once. */
    public static MasterConnection start(Settings settings, ServerIdentity identity, ChunkStore store,
                                         ChunkChangeTracker changes) {
        MasterConnection connection = new MasterConnection(settings, identity, store, changes);
        connection.loop.execute(connection::round);
        return connection;
    }

    public MasterEndpoint master() {
        return settings.master();
    }

    public boolean isRegistered() {
        return registered;
    }

    /** One round of talking to the master, then the next one is scheduled. */
    private void round() {
        if (failures > 0) {
            // gRPC's own reconnect back-off grows to minutes while a master is down; this link
            // keeps its own, shorter one, so a master that is back is reached on the next round.
            channel.resetConnectBackoff();
        }
        boolean answered = tick();
        failures = answered ? 0 : Math.min(failures + 1, 30);
        if (!closing) {
            try {
                loop.schedule(this::round, nextDelayMs(failures, settings.heartbeatIntervalMs(), settings.retryMaxMs()),
                        TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // Closed meanwhile.
            }
        }
    }

    /** The wait before the next round: the heartbeat interval, doubled per failed round up to {@code maxMs}. */
    static long nextDelayMs(int failures, long intervalMs, long maxMs) {
        long delay = intervalMs;
        for (int i = 0; i < failures && delay < maxMs; i++) {
            delay *= 2;
        }
        return Math.min(delay, maxMs);
    }

    /** Registers if needed and heartbeats; false when the master could not be talked to. */
    private boolean tick() {
        try {
            if (!registered) {
                register();
            }
            if (registered) {
                heartbeat();
                if (!registered) {
                    register();
                }
            }
            return registered;
        } catch (StatusRuntimeException e) {
            if (closing) {
                return true;
            }
            boolean wasRegistered = registered;
            registered = false;
            if (wasRegistered) {
                LOG.warn("lost the master at {}: {}; registering again", settings.master(), e.getStatus());
            } else if (e.getStatus().getCode() == io.grpc.Status.Code.FAILED_PRECONDITION) {
                repeatedProblems.error("cluster", "master at {} refused server {}: {} (nothing is deleted;"
                        + " retrying)", settings.master(), identity.serverId(), e.getStatus().getDescription());
            } else {
                repeatedProblems.warn("unreachable", "master at {} unreachable: {}", settings.master(),
                        e.getStatus());
            }
            return false;
        } catch (IOException | RuntimeException e) {
            registered = false;
            if (closing) {
                return true;
            }
            repeatedProblems.warn("failure", "talking to the master at {} failed: {}", settings.master(),
                    e.toString());
            return false;
        }
    }

    private void register() throws IOException {
        changes.clear();
        List<StoredChunk> chunks = store.chunks();
        RegisterRequest.Builder request = RegisterRequest.newBuilder()
                .setServerId(identity.serverId())
                .setHost(settings.advertiseHost())
                .setPort(settings.dataPort())
                .setTotalBytes(store.totalBytes())
                .setFreeBytes(store.freeBytes());
        for (StoredChunk chunk : chunks) {
            request.addChunks(report(chunk.id(), chunk.version()));
        }
        RegisterReply reply = stub.withDeadlineAfter(settings.callTimeoutMs(), TimeUnit.MILLISECONDS)
                .register(request.build());
        if (reply.getStatus() != 0) {
            repeatedProblems.error("register", "master {} refused registration of server {}: {} {}",
                    settings.master(), identity.serverId(), Status.fromCode(reply.getStatus()), reply.getMessage());
            return;
        }
        String offered = reply.getClusterId();
        String ours = identity.clusterId();
        if (ours == null) {
            if (offered.isEmpty()) {
                repeatedProblems.error("register", "master sent no cluster id; server {} stays unregistered",
                        identity.serverId());
                return;
            }
            identity.adoptClusterId(offered);
            LOG.info("server {} joined cluster {}", identity.serverId(), offered);
        } else if (!offered.isEmpty() && !offered.equals(ours)) {
            repeatedProblems.error("cluster", "master at {} belongs to cluster {}, this server to {}; nothing is"
                    + " deleted, retrying", settings.master(), offered, ours);
            return;
        }
        registered = true;
        LOG.info("registered with master {} as server {} ({}:{}, {} chunks)", settings.master(),
                identity.serverId(), settings.advertiseHost(), settings.dataPort(), chunks.size());
    }

    private void heartbeat() throws IOException {
        ChunkChangeTracker.Batch batch = changes.drain();
        HeartbeatReply reply;
        try {
            reply = stub.withDeadlineAfter(settings.callTimeoutMs(), TimeUnit.MILLISECONDS)
                    .heartbeat(HeartbeatRequest.newBuilder()
                            .setServerId(identity.serverId())
                            .setTotalBytes(store.totalBytes())
                            .setFreeBytes(store.freeBytes())
                            .setChunkCount(store.chunkCount())
                            .addAllChanged(batch.changed())
                            .addAllDeleted(batch.deleted())
                            .addAllLost(batch.lost())
                            .build());
        } catch (StatusRuntimeException | IOException e) {
            changes.restore(batch);
            throw e;
        }
        if (reply.getStatus() == Status.ENOENT.code()) {
            LOG.info("master {} does not know server {}; registering again", settings.master(), identity.serverId());
            registered = false;
            return;
        }
        if (reply.getStatus() != 0) {
            changes.restore(batch);
            repeatedProblems.warn("heartbeat", "master {} answered heartbeat with {} {}", settings.master(),
                    Status.fromCode(reply.getStatus()), reply.getMessage());
            return;
        }
        for (ChunkReport doomed : reply.getDeleteChunksList()) {
            delete(doomed);
        }
        for (ChunkRaiseOrder order : reply.getRaiseChunksList()) {
            raise(order);
        }
    }

    private void raise(ChunkRaiseOrder order) {
        try {
            ChunkId id = new ChunkId(order.getChunkId());
            boolean raised = store.raise(id, new ChunkVersion(order.getFromVersion()),
                    new ChunkVersion(order.getVersion()), order.getTruncateToBytes());
            if (raised) {
                LOG.info("{} v{}: raised in place from v{}{} on the order of the master at {}", id,
                        Integer.toUnsignedString(order.getVersion()), Integer.toUnsignedString(order.getFromVersion()),
                        order.getTruncateToBytes() >= 0 ? " (cut to " + order.getTruncateToBytes() + " bytes)" : "",
                        settings.master());
            }
        } catch (StatusException | IllegalArgumentException e) {
            LOG.warn("chunk {}: raise to v{} failed: {}", Long.toHexString(order.getChunkId()),
                    Integer.toUnsignedString(order.getVersion()), e.getMessage());
        }
    }

    private void delete(ChunkReport doomed) {
        try {
            ChunkId id = new ChunkId(doomed.getChunkId());
            // version 0 names the chunk whatever its version; otherwise only that version goes
            ChunkVersion version = doomed.getVersion() == 0 ? null : new ChunkVersion(doomed.getVersion());
            boolean deleted = store.delete(id, version);
            LOG.debug("{} v{}: delete requested by the master at {}, {}", id, doomed.getVersion(), settings.master(),
                    deleted ? "deleted" : "not held");
        } catch (StatusException | IllegalArgumentException e) {
            LOG.warn("chunk {}: delete failed: {}", Long.toHexString(doomed.getChunkId()), e.getMessage());
        }
    }

    private static ChunkReport report(ChunkId id, ChunkVersion version) {
        return ChunkReport.newBuilder().setChunkId(id.value()).setVersion(version.value()).build();
    }

    @Override
    public void close() {
        closing = true;
        loop.shutdownNow();
        channel.shutdownNow();
        try {
            loop.awaitTermination(5, TimeUnit.SECONDS);
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Puts the stored cluster id on every call; a server that has none yet sends none. */
    private final class ClusterIdHeader implements ClientInterceptor {
        private static final Metadata.Key<String> KEY =
                Metadata.Key.of(Layout.CLUSTER_ID_HEADER, Metadata.ASCII_STRING_MARSHALLER);

        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                @Override
                public void start(Listener<R> listener, Metadata headers) {
                    String clusterId = identity.clusterId();
                    if (clusterId != null) {
                        headers.put(KEY, clusterId);
                    }
                    super.start(listener, headers);
                }
            };
        }
    }
}
