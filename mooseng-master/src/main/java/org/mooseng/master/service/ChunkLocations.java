package org.mooseng.master.service;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.random.RandomGenerator;
import org.mooseng.common.ChunkId;
import org.mooseng.common.Layout;
import org.mooseng.common.Status;
import org.mooseng.master.chunks.ChunkPlacement;
import org.mooseng.master.chunks.ChunkRegistry;
import org.mooseng.master.chunks.ChunkServerView;
import org.mooseng.master.chunks.ReplicaView;
import org.mooseng.master.raft.MetaLog;
import org.mooseng.meta.ChunkRaise;
import org.mooseng.meta.NamespaceReader;
import org.mooseng.meta.NamespaceReader.ChunkRecord;
import org.mooseng.meta.SessionReader;
import org.mooseng.proto.AttrReply;
import org.mooseng.proto.ChunkInfo;
import org.mooseng.proto.ChunkRef;
import org.mooseng.proto.ChunkReplica;
import org.mooseng.proto.ChunkServerAddress;
import org.mooseng.proto.ChunkWriteBeginOp;
import org.mooseng.proto.ChunkWriteEndOp;
import org.mooseng.proto.FileInfoReply;
import org.mooseng.proto.MetaOp;
import org.mooseng.proto.MetaResult;
import org.mooseng.proto.ReadChunkReply;
import org.mooseng.proto.ReadChunkRequest;
import org.mooseng.proto.SetAttrOp;
import org.mooseng.proto.SetAttrReply;
import org.mooseng.proto.SetAttrRequest;
import org.mooseng.proto.StatusReply;
import org.mooseng.proto.WriteChunkEndRequest;
import org.mooseng.proto.WriteChunkReply;
import org.mooseng.proto.WriteChunkRequest;

/**
 * The chunk-level client operations on the leader: where to read a chunk, which chain writes
 * it, truncation, and per-file replica reports. Joins the namespace (versions) with the
 * registry (who holds what).
 */
final class ChunkLocations {
    private static final int W_OK = 2;

    private static final int OPEN_WRITE = org.mooseng.proto.FileOpenOp.Flag.OPEN_WRITE_VALUE;

    private final MetaLog log;
    private final NamespaceReader namespace;
    private final SessionReader sessions;
    private final ChunkRegistry registry;
    private final Clock clock;
    private final RandomGenerator random;
    private final int defaultGoal;
    private final WriteLeases leases;

    ChunkLocations(MetaLog log, NamespaceReader namespace, SessionReader sessions, ChunkRegistry registry,
                   Clock clock, RandomGenerator random, int defaultGoal, WriteLeases leases) {
        this.leases = leases;
        this.log = log;
        this.namespace = namespace;
        this.sessions = sessions;
        this.registry = registry;
        this.clock = clock;
        this.random = random;
        this.defaultGoal = defaultGoal;
    }

    ReadChunkReply readChunk(ReadChunkRequest req) {
        AttrReply attr = namespace.getAttr(req.getInode());
        if (attr.getStatus() != 0) {
            return ReadChunkReply.newBuilder().setStatus(attr.getStatus()).setMessage(attr.getMessage()).build();
        }
        ReadChunkReply.Builder reply = ReadChunkReply.newBuilder().setFileSize(attr.getAttr().getSize());
        Optional<ChunkRef> chunk = namespace.chunkAt(req.getInode(), req.getChunkIndex());
        if (chunk.isEmpty()) {
            return reply.setChunk(ChunkRef.newBuilder().setChunkIndex(req.getChunkIndex())).build();
        }
        ChunkRef ref = chunk.get();
        ChunkRaise raise = raiseOf(ref.getChunkId());
        String callerHost = CallerAddress.host();
        List<ReplicaView> valid = new ArrayList<>(registry.replicas(ref.getChunkId(), ref.getVersion(), raise)
                .stream().filter(ReplicaView::valid).toList());
        if (valid.isEmpty()) {
            return reply.setStatus(noReplicaStatus()).setChunk(ref)
                    .setMessage(chunkName(ref) + ": no valid replica on an alive chunk server" + listeningNote()).build();
        }
        valid.sort(Comparator.comparing((ReplicaView r) -> !r.server().host().equals(callerHost)));
        valid.forEach(r -> reply.addReplicas(address(r.server())));
        // Not the registry's versions: a chain member counts as holding the version from its grant
        // on, and one that then got no frame still holds a version as low as the floor.
        return reply.setChunk(ref).setOldestVersion(lowestHeld(raise, ref.getVersion())).build();
    }

    /**
     * EIO when no chunk server holds what is asked for; NOT_READY, which clients retry, while
     * this master started too recently to have heard from every live chunk server.
     */
    private int noReplicaStatus() {
        return registry.stillListening() ? Status.NOT_READY.code() : Status.EIO.code();
    }

    private String listeningNote() {
        return registry.stillListening() ? " yet (this master started recently; chunk servers are still registering)"
                : "";
    }

    CompletableFuture<WriteChunkReply> writeChunk(WriteChunkRequest req) {
        // A session holding the file open for writing was checked at open: a later chmod (tar
        // extracting a 0444 file) must not stop its writes.
        boolean openForWriting = req.getSessionId() != 0
                && (sessions.openFlags(req.getSessionId(), req.getInode()) & OPEN_WRITE) != 0;
        if (!openForWriting) {
            StatusReply access = namespace.access(req.getCred(), req.getInode(), W_OK);
            if (access.getStatus() != 0) {
                return done(writeFailure(access.getStatus(), access.getMessage()));
            }
        }
        return leases.serialized(req.getInode(), () -> grant(req));
    }

    /**
     * Hands out the chunk's current lease when it still serves, else raises the version on a
     * chain chosen now and recorded with the raise in the namespace.
     */
    private CompletableFuture<WriteChunkReply> grant(WriteChunkRequest req) {
        Set<String> excluded = new HashSet<>(req.getExcludeServersList());
        Optional<ChunkRef> existing = namespace.chunkAt(req.getInode(), req.getChunkIndex());
        List<ChunkServerView> chain;
        int base;
        if (existing.isPresent()) {
            ChunkRef ref = existing.get();
            Optional<WriteLeases.Lease> lease = leases.current(ref.getChunkId(), ref.getVersion());
            if (lease.isPresent() && serves(lease.get(), excluded)) {
                WriteLeases.Lease renewed = leases.grant(ref.getChunkId(), ref.getVersion(),
                        lease.get().baseVersion(), lease.get().chain());
                return done(leaseReply(ref, renewed));
            }
            ChunkRaise raise = raiseOf(ref.getChunkId());
            chain = holders(ref.getChunkId(), ref.getVersion(), raise, excluded);
            // Checked before the version bump: a bump with nowhere to write would leave every
            // existing copy stale and the chunk unreadable.
            if (chain.isEmpty()) {
                Optional<WriteChunkReply> again = regrantUnwritten(req.getInode(), req.getChunkIndex(), ref, raise,
                        excluded);
                if (again.isPresent()) {
                    return done(again.get());
                }
                return done(writeFailure(noReplicaStatus(), chunkName(ref)
                        + ": no alive chunk server holds this version" + excludedNote(excluded) + listeningNote()));
            }
            base = unsignedMin(leases.baseFor(ref.getChunkId(), ref.getVersion()), lowestHeld(raise, ref.getVersion()));
        } else {
            chain = ChunkPlacement.chooseForNewChunk(registry.aliveServers(), goalOf(req.getInode()), excluded, random);
            if (chain.isEmpty()) {
                return done(writeFailure(noReplicaStatus(), "inode " + req.getInode() + " chunk index "
                        + req.getChunkIndex() + ": no alive chunk server to place a new chunk" + excludedNote(excluded)
                        + listeningNote()));
            }
            base = 0;
        }
        List<String> ids = chain.stream().map(ChunkServerView::serverId).toList();
        MetaOp op = MetaOps.stamped(MetaOp.newBuilder().setCred(req.getCred()).setChunkWriteBegin(
                ChunkWriteBeginOp.newBuilder().setInode(req.getInode()).setChunkIndex(req.getChunkIndex())
                        .addAllChain(ids).setBaseVersion(base)), clock);
        return log.propose(op).thenApply(result -> {
            if (result.getStatus() != 0) {
                return writeFailure(result.getStatus(), result.getMessage());
            }
            ChunkRef chunk = result.getChunk();
            registry.recordChain(chunk.getChunkId(), chunk.getVersion(), ids);
            return leaseReply(chunk, leases.grant(chunk.getChunkId(), chunk.getVersion(), base, ids));
        });
    }

    /**
     * The first lease of a new chunk, granted again on the chain recorded with it, when no copy
     * of the chunk exists: the lease was lost with the master that granted it (a restart, a new
     * leader) before a frame reached the chain. A frame that creates a copy is on disk before it
     * is acknowledged and reaches every member first, so no member holding one means no
     * acknowledged byte. Only while every member is alive, has reported its chunks and is not
     * excluded, and the file's length does not reach into the chunk: a chunk whose copies were
     * lost with their disks is not taken for one never written.
     */
    private Optional<WriteChunkReply> regrantUnwritten(long inode, long chunkIndex, ChunkRef ref, ChunkRaise raise,
            Set<String> excluded) {
        if (ref.getVersion() != 1 || raise.chain().isEmpty() || raise.isTruncation() || registry.stillListening()
                || !registry.replicas(ref.getChunkId(), ref.getVersion(), raise).isEmpty()) {
            return Optional.empty();
        }
        AttrReply attr = namespace.getAttr(inode);
        if (attr.getStatus() != 0 || attr.getAttr().getSize() > chunkIndex * Layout.CHUNK_SIZE_BYTES) {
            return Optional.empty();
        }
        boolean chainServes = raise.chain().stream().allMatch(id -> registry.server(id)
                .filter(s -> s.alive() && !excluded.contains(id) && !excluded.contains(s.host() + ":" + s.port()))
                .isPresent());
        if (!chainServes) {
            return Optional.empty();
        }
        registry.recordChain(ref.getChunkId(), ref.getVersion(), raise.chain());
        return Optional.of(leaseReply(ref, leases.grant(ref.getChunkId(), ref.getVersion(), 0, raise.chain())));
    }

    /** Whether every server of the lease's chain is alive, holds the version and is not excluded. */
    private boolean serves(WriteLeases.Lease lease, Set<String> excluded) {
        List<ChunkServerView> holding = holders(lease.chunkId(), lease.version(), raiseOf(lease.chunkId()), excluded);
        return lease.chain().stream().allMatch(id -> holding.stream().anyMatch(s -> s.serverId().equals(id)
                && !excluded.contains(s.host() + ":" + s.port())));
    }

    /** The lease as the client sees it: the chunk with the lease's base as its previous version. */
    private WriteChunkReply leaseReply(ChunkRef chunk, WriteLeases.Lease lease) {
        WriteChunkReply.Builder reply = WriteChunkReply.newBuilder()
                .setChunk(chunk.toBuilder().setVersion(lease.version()).setPreviousVersion(lease.baseVersion()));
        for (String id : lease.chain()) {
            registry.server(id).ifPresent(s -> reply.addChain(address(s)));
        }
        return reply.build();
    }

    CompletableFuture<AttrReply> writeChunkEnd(WriteChunkEndRequest req) {
        MetaOp op = MetaOps.stamped(MetaOp.newBuilder().setCred(req.getCred()).setChunkWriteEnd(
                ChunkWriteEndOp.newBuilder().setInode(req.getInode()).setNewSize(req.getNewSize())), clock);
        return log.propose(op).thenApply(r -> AttrReply.newBuilder().setStatus(r.getStatus()).setAttr(r.getAttr())
                .setMessage(r.getMessage()).build());
    }

    CompletableFuture<SetAttrReply> setAttr(SetAttrRequest req) {
        if ((req.getOp().getValid() & SetAttrOp.Field.SET_SIZE_VALUE) == 0) {
            return setAttrNow(req);
        }
        // A truncation raises the version of the chunk it cuts: ordered with the inode's write leases.
        return leases.serialized(req.getOp().getInode(), () -> setAttrNow(req));
    }

    private CompletableFuture<SetAttrReply> setAttrNow(SetAttrRequest req) {
        SetAttrOp.Builder setAttr = req.getOp().toBuilder().clearCutChain();
        // The chunk a shrinking SET_SIZE cuts into: its holders now are the servers that must cut
        // their copies, recorded with the raise; their lowest version is the base of the cut.
        Optional<ChunkRef> cutNow = chunkCutBy(req.getOp());
        int cutBase = Integer.MAX_VALUE;
        if (cutNow.isPresent()) {
            ChunkRef ref = cutNow.get();
            ChunkRaise raise = raiseOf(ref.getChunkId());
            holders(ref.getChunkId(), ref.getVersion(), raise, Set.of())
                    .forEach(server -> setAttr.addCutChain(server.serverId()));
            cutBase = unsignedMin(leases.baseFor(ref.getChunkId(), ref.getVersion()), lowestHeld(raise, ref.getVersion()));
        }
        int baseBeforeCut = cutBase;
        MetaOp op = MetaOps.stamped(MetaOp.newBuilder().setCred(req.getCred()).setRequestId(req.getRequestId())
                .setSetAttr(setAttr), clock);
        return log.propose(op).thenApply(result -> {
            registry.release(result.getReleasedChunksList());
            SetAttrReply.Builder reply = SetAttrReply.newBuilder().setStatus(result.getStatus())
                    .setAttr(result.getAttr()).setMessage(result.getMessage());
            ChunkRef cut = result.getChunk();
            if (result.getStatus() == 0 && result.hasChunk() && cut.getChunkId() != 0) {
                // The servers recorded with the cut truncate their copies and hold the new version
                // after it; writers of the chunk's lease continue under the cut's version on that
                // chain. Taken from the namespace, so a resent request (its first result came
                // back from the applied-requests table) names the same servers.
                ChunkRaise recorded = raiseOf(cut.getChunkId());
                List<ChunkServerView> chain = recorded.chain().stream().map(registry::server).flatMap(Optional::stream)
                        .filter(ChunkServerView::alive).toList();
                List<String> ids = chain.stream().map(ChunkServerView::serverId).toList();
                int base = unsignedMin(baseBeforeCut, unsignedMin(cut.getPreviousVersion(), recorded.floorVersion()));
                registry.recordChain(cut.getChunkId(), cut.getVersion(), ids);
                leases.grant(cut.getChunkId(), cut.getVersion(), base, ids);
                reply.setTruncatedChunk(cut.toBuilder().setPreviousVersion(base));
                chain.forEach(s -> reply.addChain(address(s)));
            }
            return reply.build();
        });
    }

    /** The chunk a SET_SIZE would cut into (the new end inside it, the file shrinking), as it is now. */
    private Optional<ChunkRef> chunkCutBy(SetAttrOp op) {
        if ((op.getValid() & SetAttrOp.Field.SET_SIZE_VALUE) == 0 || op.getSize() % Layout.CHUNK_SIZE_BYTES == 0) {
            return Optional.empty();
        }
        AttrReply attr = namespace.getAttr(op.getInode());
        if (attr.getStatus() != 0 || op.getSize() >= attr.getAttr().getSize()) {
            return Optional.empty();
        }
        return namespace.chunkAt(op.getInode(), op.getSize() / Layout.CHUNK_SIZE_BYTES);
    }

    FileInfoReply fileInfo(long inode) {
        AttrReply attr = namespace.getAttr(inode);
        if (attr.getStatus() != 0) {
            return FileInfoReply.newBuilder().setStatus(attr.getStatus()).setMessage(attr.getMessage()).build();
        }
        FileInfoReply.Builder reply = FileInfoReply.newBuilder().setAttr(attr.getAttr());
        for (ChunkRef chunk : namespace.chunksOf(inode)) {
            ChunkInfo.Builder info = ChunkInfo.newBuilder().setChunk(chunk);
            for (ReplicaView r : registry.replicas(chunk.getChunkId(), chunk.getVersion(),
                    raiseOf(chunk.getChunkId()))) {
                info.addReplicas(ChunkReplica.newBuilder().setServerId(r.server().serverId())
                        .setHost(r.server().host()).setPort(r.server().port()).setVersion(r.version())
                        .setValid(r.valid()));
            }
            reply.addChunks(info);
        }
        return reply.build();
    }

    /** Alive servers holding the chunk's current data, most free space first. */
    private List<ChunkServerView> holders(long chunkId, int version, ChunkRaise raise, Set<String> excluded) {
        return registry.replicas(chunkId, version, raise).stream()
                .filter(r -> r.valid() && !excluded.contains(r.server().serverId()))
                .map(ReplicaView::server)
                .sorted(Comparator.comparingLong(ChunkServerView::freeBytes).reversed())
                .toList();
    }

    /** The record of the chunk's last raise in the namespace. */
    private ChunkRaise raiseOf(long chunkId) {
        return namespace.chunk(chunkId).map(ChunkRecord::raise).orElse(ChunkRaise.NONE);
    }

    /** The lowest version a copy holding the chunk's current data may have. */
    private static int lowestHeld(ChunkRaise raise, int version) {
        return raise.chain().isEmpty() || raise.isTruncation() ? version : raise.floorVersion();
    }

    private static int unsignedMin(int a, int b) {
        return Integer.compareUnsigned(a, b) <= 0 ? a : b;
    }

    private int goalOf(long inode) {
        AttrReply attr = namespace.getAttr(inode);
        int goal = attr.getStatus() == 0 ? attr.getAttr().getGoal() : 0;
        return goal > 0 ? goal : defaultGoal;
    }

    static ChunkServerAddress address(ChunkServerView server) {
        return ChunkServerAddress.newBuilder().setServerId(server.serverId()).setHost(server.host())
                .setPort(server.port()).build();
    }

    private static String chunkName(ChunkRef chunk) {
        return new ChunkId(chunk.getChunkId()) + " v" + Integer.toUnsignedString(chunk.getVersion());
    }

    private static String excludedNote(Set<String> excluded) {
        return excluded.isEmpty() ? "" : " (excluded: " + String.join(", ", excluded) + ")";
    }

    private static WriteChunkReply writeFailure(int status, String message) {
        return WriteChunkReply.newBuilder().setStatus(status).setMessage(message).build();
    }

    private static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }
}
