package org.mooseng.chunkserver;

import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.mooseng.common.Layout;
import org.mooseng.proto.ChunkReport;
import org.mooseng.proto.HeartbeatReply;
import org.mooseng.proto.HeartbeatRequest;
import org.mooseng.proto.MasterChunkServerServiceGrpc;
import org.mooseng.proto.RegisterReply;
import org.mooseng.proto.RegisterRequest;

/**
 * A master's chunk-server service for tests: records registrations and heartbeats, refuses
 * callers of another cluster like the real one (FAILED_PRECONDITION), answers queued
 * deletions, and can forget a server so that it gets ENOENT.
 */
final class FakeMaster implements AutoCloseable {
    static final String CLUSTER_ID = "test-cluster";
    private static final Metadata.Key<String> HEADER =
            Metadata.Key.of(Layout.CLUSTER_ID_HEADER, Metadata.ASCII_STRING_MARSHALLER);
    private static final io.grpc.Context.Key<String> CALLER_CLUSTER = io.grpc.Context.key("cluster");

    record Registration(RegisterRequest request, String headerClusterId) {
    }

    final List<Registration> registrations = new CopyOnWriteArrayList<>();
    final List<HeartbeatRequest> heartbeats = new CopyOnWriteArrayList<>();
    final List<String> refusedClusterIds = new CopyOnWriteArrayList<>();
    private final Map<String, ConcurrentLinkedQueue<ChunkReport>> deletions = new ConcurrentHashMap<>();
    private final Map<String, Boolean> known = new ConcurrentHashMap<>();
    private final AtomicBoolean forgetOnNextHeartbeat = new AtomicBoolean();
    private final Server server;

    FakeMaster() throws IOException {
        this(0);
    }

    /** A fake master on {@code port} (0 = any free port). */
    FakeMaster(int port) throws IOException {
        ServerInterceptor readHeader = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                              ServerCallHandler<Q, R> next) {
                String caller = headers.get(HEADER);
                if (caller != null && !caller.equals(CLUSTER_ID)) {
                    refusedClusterIds.add(caller);
                    call.close(Status.FAILED_PRECONDITION.withDescription("cluster id mismatch: expected "
                            + CLUSTER_ID + ", got " + caller), new Metadata());
                    return new ServerCall.Listener<>() {
                    };
                }
                return Contexts.interceptCall(io.grpc.Context.current().withValue(CALLER_CLUSTER, String.valueOf(caller)),
                        call, headers, next);
            }
        };
        server = Grpc.newServerBuilderForPort(port, InsecureServerCredentials.create())
                .addService(ServerInterceptors.intercept(new Service(), readHeader)).build().start();
    }

    int port() {
        return server.getPort();
    }

    void delete(String serverId, long chunkId, int version) {
        deletions.computeIfAbsent(serverId, k -> new ConcurrentLinkedQueue<>())
                .add(ChunkReport.newBuilder().setChunkId(chunkId).setVersion(version).build());
    }

    /** The next heartbeat of any server is answered ENOENT, as by a master that restarted. */
    void forgetServers() {
        known.clear();
        forgetOnNextHeartbeat.set(true);
    }

    List<Registration> registrationsOf(String serverId) {
        return registrations.stream().filter(r -> r.request().getServerId().equals(serverId)).toList();
    }

    List<HeartbeatRequest> heartbeatsOf(String serverId) {
        return heartbeats.stream().filter(h -> h.getServerId().equals(serverId)).toList();
    }

    @Override
    public void close() {
        try {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Service extends MasterChunkServerServiceGrpc.MasterChunkServerServiceImplBase {
        @Override
        public void register(RegisterRequest request, StreamObserver<RegisterReply> reply) {
            registrations.add(new Registration(request, CALLER_CLUSTER.get()));
            known.put(request.getServerId(), true);
            reply.onNext(RegisterReply.newBuilder().setClusterId(CLUSTER_ID).build());
            reply.onCompleted();
        }

        @Override
        public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatReply> reply) {
            heartbeats.add(request);
            HeartbeatReply.Builder out = HeartbeatReply.newBuilder();
            if (forgetOnNextHeartbeat.getAndSet(false) || !known.containsKey(request.getServerId())) {
                out.setStatus(org.mooseng.common.Status.ENOENT.code());
            } else {
                ConcurrentLinkedQueue<ChunkReport> queue = deletions.get(request.getServerId());
                for (ChunkReport r; queue != null && (r = queue.poll()) != null; ) {
                    out.addDeleteChunks(r);
                }
            }
            reply.onNext(out.build());
            reply.onCompleted();
        }
    }
}
