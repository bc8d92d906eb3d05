package org.mooseng.master.service;

import io.grpc.stub.StreamObserver;
import org.mooseng.common.Status;
import org.mooseng.master.chunks.ChunkRegistry;
import org.mooseng.master.chunks.ReplicaReviewer;
import org.mooseng.master.raft.MetaLog;
import org.mooseng.meta.NamespaceReader;
import org.mooseng.proto.HeartbeatReply;
import org.mooseng.proto.HeartbeatRequest;
import org.mooseng.proto.MasterChunkServerServiceGrpc;
import org.mooseng.proto.RegisterReply;
import org.mooseng.proto.RegisterRequest;

/**
 * The chunk-server port. Every master keeps its registry current from registrations and
 * heartbeats (so a new leader knows the replicas at once), but only the leader orders
 * deletions, and only for replicas the {@link ReplicaReviewer} finds unneeded.
 */
public final class MasterChunkServerService extends MasterChunkServerServiceGrpc.MasterChunkServerServiceImplBase {
    private final MetaLog log;
    private final NamespaceReader namespace;
    private final ChunkRegistry registry;
    private final ReplicaReviewer reviewer;
    private final String clusterId;
    private final int deletionsPerHeartbeat;

    public MasterChunkServerService(MetaLog log, NamespaceReader namespace, ChunkRegistry registry,
                                    String clusterId, int deletionsPerHeartbeat) {
        this.log = log;
        this.namespace = namespace;
        this.registry = registry;
        this.reviewer = new ReplicaReviewer(registry);
        this.clusterId = clusterId;
        this.deletionsPerHeartbeat = deletionsPerHeartbeat;
    }

    @Override
    public void register(RegisterRequest req, StreamObserver<RegisterReply> out) {
        RegisterReply.Builder reply = RegisterReply.newBuilder().setClusterId(clusterId);
        if (req.getServerId().isEmpty() || req.getHost().isEmpty() || req.getPort() == 0) {
            reply.setStatus(Status.EINVAL.code()).setMessage("chunk server '" + req.getServerId()
                    + "': registration needs server id, host and data port");
        } else {
            registry.register(req.getServerId(), req.getHost(), req.getPort(), req.getTotalBytes(),
                    req.getFreeBytes(), req.getChunksList());
        }
        out.onNext(reply.build());
        out.onCompleted();
    }

    @Override
    public void heartbeat(HeartbeatRequest req, StreamObserver<HeartbeatReply> out) {
        HeartbeatReply.Builder reply = HeartbeatReply.newBuilder();
        if (!registry.heartbeat(req.getServerId(), req.getTotalBytes(), req.getFreeBytes(), req.getChangedList(),
                req.getDeletedList(), req.getLostList())) {
            reply.setStatus(Status.ENOENT.code()).setMessage("chunk server " + req.getServerId()
                    + ": not registered with this master, register again");
        } else if (log.isLeader()) {
            ReplicaReviewer.Orders orders = reviewer.review(req.getServerId(), deletionsPerHeartbeat, namespace);
            reply.addAllDeleteChunks(orders.deletions()).addAllRaiseChunks(orders.raises());
        }
        out.onNext(reply.build());
        out.onCompleted();
    }
}
