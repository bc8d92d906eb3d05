package org.mooseng.master.service;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import org.mooseng.common.Status;
import org.mooseng.master.chunks.ChunkHealth;
import org.mooseng.master.chunks.ChunkRegistry;
import org.mooseng.master.chunks.ChunkServerView;
import org.mooseng.master.raft.MetaLog;
import org.mooseng.meta.NamespaceReader;
import org.mooseng.meta.SessionReader;
import org.mooseng.proto.ListSessionsReply;
import org.mooseng.proto.ListSessionsRequest;
import org.mooseng.proto.LockReply;
import org.mooseng.proto.LockRequest;
import org.mooseng.proto.OpenFileRequest;
import org.mooseng.proto.OpenSessionRequest;
import org.mooseng.proto.ReclaimOpensRequest;
import org.mooseng.proto.ReleaseFileRequest;
import org.mooseng.proto.RenewSessionReply;
import org.mooseng.proto.SessionReply;
import org.mooseng.proto.SessionRequest;
import org.mooseng.proto.AccessRequest;
import org.mooseng.proto.AttrReply;
import org.mooseng.proto.ChunkServerInfo;
import org.mooseng.proto.ChunkServersReply;
import org.mooseng.proto.ChunkServersRequest;
import org.mooseng.proto.ClusterInfoReply;
import org.mooseng.proto.ClusterInfoRequest;
import org.mooseng.proto.FileInfoReply;
import org.mooseng.proto.FileInfoRequest;
import org.mooseng.proto.GetAttrRequest;
import org.mooseng.proto.GetXattrReply;
import org.mooseng.proto.GetXattrRequest;
import org.mooseng.proto.ListXattrReply;
import org.mooseng.proto.ListXattrRequest;
import org.mooseng.proto.LookupRequest;
import org.mooseng.proto.MasterClientServiceGrpc;
import org.mooseng.proto.MetaOp;
import org.mooseng.proto.MetaResult;
import org.mooseng.proto.MutateRequest;
import org.mooseng.proto.ReadChunkReply;
import org.mooseng.proto.ReadChunkRequest;
import org.mooseng.proto.ReadDirReply;
import org.mooseng.proto.ReadDirRequest;
import org.mooseng.proto.ReadLinkReply;
import org.mooseng.proto.ReadLinkRequest;
import org.mooseng.proto.SetAttrReply;
import org.mooseng.proto.SetAttrRequest;
import org.mooseng.proto.StatFsReply;
import org.mooseng.proto.StatFsRequest;
import org.mooseng.proto.StatusReply;
import org.mooseng.proto.WriteChunkEndRequest;
import org.mooseng.proto.WriteChunkReply;
import org.mooseng.proto.WriteChunkRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client port. Only the leader answers namespace and chunk questions, from its applied
 * state; any other master replies NOT_LEADER with the leader's client address as message.
 */
public final class MasterClientService extends MasterClientServiceGrpc.MasterClientServiceImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(MasterClientService.class);
    private static final int DEFAULT_READDIR_ENTRIES = 1024;
    private static final int MAX_READDIR_ENTRIES = 65_536;

    private final MetaLog log;
    private final NamespaceReader namespace;
    private final ChunkHealth chunkHealth;
    private final ChunkRegistry registry;
    private final ChunkLocations chunks;
    private final WriteLeases writeLeases;
    private final ClientSessions sessions;
    private final Clock clock;
    private final String clusterId;
    private final String version;
    /** Where this service is also served over framed RPC; 0 = not (yet). */
    private volatile int clientRpcPort;

    public MasterClientService(MetaLog log, NamespaceReader namespace, SessionReader sessionState,
                               ClientSessions sessions, ChunkRegistry registry, ChunkHealth chunkHealth,
                               Clock clock, RandomGenerator random, int defaultGoal, String clusterId) {
        this.log = log;
        this.chunkHealth = chunkHealth;
        this.sessions = sessions;
        this.namespace = namespace;
        this.registry = registry;
        this.clock = clock;
        this.clusterId = clusterId;
        this.writeLeases = new WriteLeases(clock::millis);
        this.chunks = new ChunkLocations(log, namespace, sessionState, registry, clock, random, defaultGoal,
                writeLeases);
        String implVersion = MasterClientService.class.getPackage().getImplementationVersion();
        this.version = implVersion == null ? "dev" : implVersion;
    }

    /** Called when this master gains or loses leadership: write leases of the old term are void. */
    /** Tells clients (in cluster info) the port where this service is served over framed RPC. */
    public void servedOverFramedRpc(int port) {
        this.clientRpcPort = port;
    }

    public void onLeadershipChange() {
        writeLeases.clear();
    }

    // ------------------------------------------------------------------ reads

    @Override
    public void lookup(LookupRequest req, StreamObserver<AttrReply> out) {
        read(out, () -> namespace.lookup(req.getCred(), req.getParent(), req.getName()),
                m -> AttrReply.newBuilder().setStatus(Status.NOT_LEADER.code()).setMessage(m).build());
    }

    @Override
    public void getAttr(GetAttrRequest req, StreamObserver<AttrReply> out) {
        read(out, () -> namespace.getAttr(req.getInode()),
                m -> AttrReply.newBuilder().setStatus(Status.NOT_LEADER.code()).setMessage(m).build());
    }

    @Override
    public void access(AccessRequest req, StreamObserver<StatusReply> out) {
        read(out, () -> namespace.access(req.getCred(), req.getInode(), req.getMask()),
                m -> StatusReply.newBuilder().setStatus(Status.NOT_LEADER.code()).setMessage(m).build());
    }

    @Override
    public void readDir(ReadDirRequest req, StreamObserver<ReadDirReply> out) {
        int max = req.getMaxEntries() == 0 ? DEFAULT_READDIR_ENTRIES : Math.min(req.getMaxEntries(), MAX_READDIR_ENTRIES);
        read(out, () -> req.getPacked()
                        ? namespace.readDirPacked(req.getCred(), req.getInode(), req.getCookie(), max)
                        : namespace.readDir(req.getCred(), req.getInode(), req.getCookie(), max),
                m -> ReadDirReply.newBuilder().setStatus(Status.NOT_LEADER.code()).setMessage(m).build());
    }

    @Override
    public void readLink(ReadLinkRequest req, StreamObserver<ReadLinkReply> out) {
        read(out, () -> namespace.readLink(req.getInode()),
                m -> ReadLinkReply.newBuilder().setStatus(Status.NOT_LEADER.code()).setMessage(m).build());
    }

    @Override
    public void getXattr(GetXattrRequest req, StreamObserver<GetXattrReply> out) {
        read(out, () -> namespace.getXattr(req.getCred(), req.getInode(), req.getName()),
                m -> GetXattrReply.newBuilder().setStatus(Status.NOT_LEADER.code()).setMessage(m).build());
    }

    @Override
    public void listXattr(ListXattrRequest req, StreamObserver<ListXattrReply> out) {
        read(out, () -> namespace.listXattr(req.getCred(), req.getInode()),
                m -> ListXattrReply.newBuilder().setStatus(Status.NOT_LEADER.code()).setMessage(m).build());
    }

    @Override
    public void statFs(StatFsRequest req, StreamObserver<StatFsReply> out) {
        read(out, () -> {
            long total = 0;
            long free = 0;
            for (ChunkServerView server : registry.aliveServers()) {
                total += server.totalBytes();
                free += server.freeBytes();
            }
            return StatFsReply.newBuilder().setTotalBytes(total).setFreeBytes(free)
                    .setUsedBytes(Math.max(0, total - free)).setInodes(namespace.stats().inodes()).build();
        }, m -> StatFsReply.newBuilder().setStatus(Status.NOT_LEADER.code()).build());
    }

    @Override
    public void readChunk(ReadChunkRequest req, StreamObserver<ReadChunkReply> out) {
        read(out, () -> chunks.readChunk(req),
                m -> ReadChunkReply.newBuilder().setStatus(Status.NOT_LEADER.code()).setMessage(m).build());
    }

    @Override
    public void fileInfo(FileInfoRequest req, StreamObserver<FileInfoReply> out) {
        read(out, () -> chunks.fileInfo(req.getInode()),
                m -> FileInfoReply.newBuilder().setStatus(Status.NOT_LEADER.code()).setMessage(m).build());
    }

    // ------------------------------------------------------------------ changes

    @Override
    public void mutate(MutateRequest req, StreamObserver<MetaResult> out) {
        Function<String, MetaResult> notLeader =
                m -> MetaResult.newBuilder().setStatus(Status.NOT_LEADER.code()).setMessage(m).build();
        write(out, () -> {
            MetaOp op = req.getOp();
            if (!MetaOps.isGenericMutation(op)) {
                return CompletableFuture.completedFuture(MetaResult.newBuilder().setStatus(Status.EINVAL.code())
                        .setMessage("op " + op.getOpCase() + ": not accepted by Mutate (use its own RPC)").build());
            }
            return log.propose(MetaOps.stamped(op.toBuilder(), clock)).thenApply(result -> {
                registry.release(result.getReleasedChunksList());
                return result;
            });
        }, notLeader, e -> MetaResult.newBuilder().setStatus(Status.EIO.code()).setMessage(e).build());
    }

    @Override
    public void setAttr(SetAttrRequest req, StreamObserver<SetAttrReply> out) {
        write(out, () -> chunks.setAttr(req),
                m -> SetAttrReply.newBuilder().setStatus(Status.NOT_LEADER.code()).setMessage(m).build(),
                e -> SetAttrReply.newBuilder().setStatus(Status.EIO.code()).setMessage(e).build());
    }

    @Override
    public void writeChunk(WriteChunkRequest req, StreamObserver<WriteChunkReply> out) {
        write(out, () -> chunks.writeChunk(req),
                m -> WriteChunkReply.newBuilder().setStatus(Status.NOT_LEADER.code()).setMessage(m).build(),
                e -> WriteChunkReply.newBuilder().setStatus(Status.EIO.code()).setMessage(e).build());
    }

    @Override
    public void writeChunkEnd(WriteChunkEndRequest req, StreamObserver<AttrReply> out) {
        write(out, () -> chunks.writeChunkEnd(req),
                m -> AttrReply.newBuilder().setStatus(Status.NOT_LEADER.code()).setMessage(m).build(),
                e -> AttrReply.newBuilder().setStatus(Status.EIO.code()).setMessage(e).build());
    }

    // ------------------------------------------------------------------ sessions, open files, locks

    @Override
    public void openSession(OpenSessionRequest req, StreamObserver<SessionReply> out) {
        write(out, () -> sessions.open(req),
                m -> SessionReply.newBuilder().setStatus(Status.NOT_LEADER.code()).setMessage(m).build(),
                e -> SessionReply.newBuilder().setStatus(Status.EIO.code()).setMessage(e).build());
    }

    @Override
    public void renewSession(SessionRequest req, StreamObserver<RenewSessionReply> out) {
        write(out, () -> CompletableFuture.completedFuture(sessions.renew(req)),
                m -> RenewSessionReply.newBuilder().setStatus(Status.NOT_LEADER.code()).setMessage(m).build(),
                e -> RenewSessionReply.newBuilder().setStatus(Status.EIO.code()).setMessage(e).build());
    }

    @Override
    public void closeSession(SessionRequest req, StreamObserver<StatusReply> out) {
        write(out, () -> sessions.close(req), this::notLeaderStatus,
                e -> StatusReply.newBuilder().setStatus(Status.EIO.code()).setMessage(e).build());
    }

    @Override
    public void listSessions(ListSessionsRequest req, StreamObserver<ListSessionsReply> out) {
        read(out, sessions::list,
                m -> ListSessionsReply.newBuilder().setStatus(Status.NOT_LEADER.code()).setMessage(m).build());
    }

    @Override
    public void openFile(OpenFileRequest req, StreamObserver<AttrReply> out) {
        Context callContext = Context.current(); // the caller's address orders the replicas
        write(out, () -> sessions.openFile(req).thenApply(reply -> withFirstChunk(req, reply, callContext)),
                m -> AttrReply.newBuilder().setStatus(Status.NOT_LEADER.code()).setMessage(m).build(),
                e -> AttrReply.newBuilder().setStatus(Status.EIO.code()).setMessage(e).build());
    }

    /**
     * The open's reply with where chunk 0 is, when asked for: it is read right after the open,
     * so the client need not ask for it. The open was applied (logged) or passed a read barrier
     * (held by the leader), so the answer is as current as a ReadChunk after it.
     */
    private AttrReply withFirstChunk(OpenFileRequest req, AttrReply opened, Context callContext) {
        if (!req.getWithFirstChunk() || opened.getStatus() != 0 || opened.getAttr().getSize() == 0
                || opened.getAttr().getType() != org.mooseng.proto.FileType.REGULAR) {
            return opened;
        }
        ReadChunkRequest first = ReadChunkRequest.newBuilder().setCred(req.getCred()).setInode(req.getInode())
                .setChunkIndex(0).build();
        ReadChunkReply located;
        try {
            located = callContext.call(() -> chunks.readChunk(first));
        } catch (Exception e) {
            LOG.debug("inode {}: first chunk not located with the open: {}", req.getInode(), e.toString());
            return opened;
        }
        return located.getStatus() == 0 ? opened.toBuilder().setFirstChunk(located).build() : opened;
    }

    @Override
    public void reclaimOpens(ReclaimOpensRequest req, StreamObserver<RenewSessionReply> out) {
        write(out, () -> CompletableFuture.completedFuture(sessions.reclaimOpens(req)),
                m -> RenewSessionReply.newBuilder().setStatus(Status.NOT_LEADER.code()).setMessage(m).build(),
                e -> RenewSessionReply.newBuilder().setStatus(Status.EIO.code()).setMessage(e).build());
    }

    @Override
    public void releaseFile(ReleaseFileRequest req, StreamObserver<StatusReply> out) {
        write(out, () -> sessions.releaseFile(req), this::notLeaderStatus,
                e -> StatusReply.newBuilder().setStatus(Status.EIO.code()).setMessage(e).build());
    }

    @Override
    public void getLock(LockRequest req, StreamObserver<LockReply> out) {
        write(out, () -> CompletableFuture.completedFuture(sessions.getLock(req)), this::notLeaderLock,
                e -> LockReply.newBuilder().setStatus(Status.EIO.code()).setMessage(e).build());
    }

    @Override
    public void setLock(LockRequest req, StreamObserver<LockReply> out) {
        write(out, () -> CompletableFuture.completedFuture(sessions.setLock(req)), this::notLeaderLock,
                e -> LockReply.newBuilder().setStatus(Status.EIO.code()).setMessage(e).build());
    }

    @Override
    public void flock(LockRequest req, StreamObserver<LockReply> out) {
        write(out, () -> CompletableFuture.completedFuture(sessions.flock(req)), this::notLeaderLock,
                e -> LockReply.newBuilder().setStatus(Status.EIO.code()).setMessage(e).build());
    }

    private StatusReply notLeaderStatus(String leader) {
        return StatusReply.newBuilder().setStatus(Status.NOT_LEADER.code()).setMessage(leader).build();
    }

    private LockReply notLeaderLock(String leader) {
        return LockReply.newBuilder().setStatus(Status.NOT_LEADER.code()).setMessage(leader).build();
    }

    // ------------------------------------------------------------------ admin

    @Override
    public void clusterInfo(ClusterInfoRequest req, StreamObserver<ClusterInfoReply> out) {
        ClusterInfoReply.Builder reply = ClusterInfoReply.newBuilder().setClusterId(clusterId).setVersion(version)
                .setLeader(log.leaderClientAddress().or(log::leaderRaftAddress).orElse(""))
                .setRaftCommitIndex(log.commitIndex()).setRaftAppliedIndex(log.appliedIndex())
                .setClientRpcPort(clientRpcPort);
        List<ChunkServerView> alive = registry.aliveServers();
        reply.setChunkServers(alive.size());
        reply.setTotalBytes(alive.stream().mapToLong(ChunkServerView::totalBytes).sum());
        reply.setFreeBytes(alive.stream().mapToLong(ChunkServerView::freeBytes).sum());
        if (log.isLeader()) {
            NamespaceReader.NamespaceStats stats = namespace.stats();
            reply.setInodes(stats.inodes()).setFiles(stats.files()).setDirectories(stats.directories())
                    .setChunks(stats.chunks());
            ChunkHealth.Counts health = chunkHealth.last();
            reply.setUnderGoalChunks(health.underGoal()).setMissingChunks(health.missing());
        }
        out.onNext(reply.build());
        out.onCompleted();
    }

    @Override
    public void chunkServers(ChunkServersRequest req, StreamObserver<ChunkServersReply> out) {
        ChunkServersReply.Builder reply = ChunkServersReply.newBuilder();
        for (ChunkServerView s : registry.servers()) {
            reply.addServers(ChunkServerInfo.newBuilder().setServerId(s.serverId()).setHost(s.host())
                    .setPort(s.port()).setAlive(s.alive()).setTotalBytes(s.totalBytes())
                    .setFreeBytes(s.freeBytes()).setChunks(s.chunkCount())
                    .setLastHeartbeatMillis(s.lastHeartbeatMillis()));
        }
        out.onNext(reply.build());
        out.onCompleted();
    }

    // ------------------------------------------------------------------ plumbing

    /** A read from the leader's applied state, after a read-index barrier so it is never stale. */
    private <T> void read(StreamObserver<T> out, Supplier<T> query, Function<String, T> notLeader) {
        // The barrier completes on a Raft thread; the query still needs this call's context
        // (the caller's address orders replicas).
        Context callContext = Context.current();
        log.readBarrier().whenComplete((confirmed, error) -> callContext.run(() -> {
            T reply;
            try {
                if (error != null || !Boolean.TRUE.equals(confirmed)) {
                    reply = notLeader.apply(log.leaderClientAddress().orElse(""));
                } else {
                    reply = query.get();
                }
            } catch (RuntimeException e) {
                LOG.warn("client read failed", e);
                out.onError(io.grpc.Status.INTERNAL.withDescription("master: " + e).asRuntimeException());
                return;
            }
            out.onNext(reply);
            out.onCompleted();
        }));
    }

    private <T> void write(StreamObserver<T> out, Supplier<CompletableFuture<T>> change, Function<String, T> notLeader,
                           Function<String, T> failure) {
        if (!log.isLeader()) {
            out.onNext(notLeader.apply(log.leaderClientAddress().orElse("")));
            out.onCompleted();
            return;
        }
        CompletableFuture<T> future;
        try {
            future = change.get();
        } catch (RuntimeException e) {
            future = CompletableFuture.failedFuture(e);
        }
        future.whenComplete((reply, error) -> {
            if (error != null) {
                LOG.warn("client request failed", error);
                out.onNext(failure.apply("master: " + error));
            } else {
                out.onNext(reply);
            }
            out.onCompleted();
        });
    }
}
