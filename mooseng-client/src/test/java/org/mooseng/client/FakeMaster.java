package org.mooseng.client;

import com.google.protobuf.ByteString;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.mooseng.common.Layout;
import org.mooseng.common.Status;
import org.mooseng.proto.*;
import org.mooseng.proto.FileType;

/**
 * An in-memory master on a real gRPC server (loopback, port 0): enough of the namespace and
 * of chunk leasing to drive the client, with counters and knobs for the tests.
 */
final class FakeMaster extends MasterClientServiceGrpc.MasterClientServiceImplBase implements AutoCloseable {
    static final String CLUSTER_ID = "fake-cluster-1";

    static final class Node {
        final long inode;
        final FileType type;
        int mode;
        int uid;
        int gid;
        long size;
        int goal = 2;
        int nlink = 1;
        long rdev;
        String target = "";
        final Map<String, Long> children = new LinkedHashMap<>();
        final TreeMap<Long, ChunkState> chunks = new TreeMap<>();
        final Map<String, ByteString> xattrs = new LinkedHashMap<>();

        Node(long inode, FileType type, int mode) {
            this.inode = inode;
            this.type = type;
            this.mode = mode;
        }
    }

    static final class ChunkState {
        final long id;
        final long index;
        int version;
        int previousVersion;
        List<ChunkServerAddress> replicas = List.of();

        ChunkState(long id, long index) {
            this.id = id;
            this.index = index;
        }
    }

    final Map<Long, Node> nodes = new HashMap<>();
    final List<ChunkServerAddress> servers = new ArrayList<>();
    final List<WriteChunkRequest> writeChunkRequests = new CopyOnWriteArrayList<>();
    final List<WriteChunkEndRequest> writeChunkEnds = new CopyOnWriteArrayList<>();
    /** Sees each WriteChunkEnd as it arrives, before it is applied (tests check the chunk's replicas then). */
    volatile java.util.function.Consumer<WriteChunkEndRequest> onWriteChunkEnd = r -> { };
    final List<String> clusterHeaders = new CopyOnWriteArrayList<>();
    /** The credentials of every Mutate, in order. */
    final List<Credentials> mutateCredentials = new CopyOnWriteArrayList<>();
    final AtomicInteger readChunkCalls = new AtomicInteger();
    /** Replicas the next ReadChunk reports instead of the stored ones (used once). */
    final java.util.concurrent.atomic.AtomicReference<List<ChunkServerAddress>> readReplicasOnce =
            new java.util.concurrent.atomic.AtomicReference<>();
    /** ReadChunk and WriteChunk calls still to answer NOT_READY, like a leader that started a moment ago. */
    final AtomicInteger notReadyChunkReplies = new AtomicInteger();
    /** When set, namespace calls answer NOT_LEADER naming this leader address ("" = unknown), like a follower. */
    volatile String followerOf;
    final AtomicInteger notLeaderReplies = new AtomicInteger();
    /** The request id of every Mutate and SetAttr received (retries included), in order. */
    final List<ByteString> mutateRequestIds = new CopyOnWriteArrayList<>();
    final List<ByteString> setAttrRequestIds = new CopyOnWriteArrayList<>();
    /** Results by request id, as the real master's table of applied requests keeps them. */
    private final Map<ByteString, MetaResult> appliedMutations = new HashMap<>();
    private final Map<ByteString, SetAttrReply> appliedSetAttrs = new HashMap<>();
    /** Per method (bare name): replies still to hold back, and for how long. */
    private final Map<String, AtomicInteger> repliesToDelay = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile long replyDelayMs;
    /** Per method (bare name): replies still to lose after the call was applied, answered UNAVAILABLE. */
    private final Map<String, AtomicInteger> repliesToLose = new java.util.concurrent.ConcurrentHashMap<>();
    private long nextInode = 2;
    private long nextChunk = 100;
    private final Server server;

    FakeMaster() throws IOException {
        nodes.put(1L, new Node(1, FileType.DIRECTORY, 0755));
        for (int i = 1; i <= 3; i++) {
            servers.add(ChunkServerAddress.newBuilder().setServerId("cs" + i).setHost("10.0.0." + i)
                    .setPort(9422).build());
        }
        Metadata.Key<String> key = Metadata.Key.of(Layout.CLUSTER_ID_HEADER, Metadata.ASCII_STRING_MARSHALLER);
        ServerInterceptor headerRecorder = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                              ServerCallHandler<Q, R> next) {
                String id = headers.get(key);
                clusterHeaders.add(call.getMethodDescriptor().getBareMethodName() + "=" + id);
                if (id != null && !id.equals(CLUSTER_ID)) {
                    call.close(io.grpc.Status.FAILED_PRECONDITION.withDescription("cluster id mismatch"),
                            new Metadata());
                    return new ServerCall.Listener<>() { };
                }
                AtomicInteger toDelay = repliesToDelay.get(call.getMethodDescriptor().getBareMethodName());
                if (toDelay != null && toDelay.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    return next.startCall(new SlowReplyCall<>(call, replyDelayMs), headers);
                }
                AtomicInteger toLose = repliesToLose.get(call.getMethodDescriptor().getBareMethodName());
                if (toLose != null && toLose.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    return next.startCall(new ReplyLosingCall<>(call), headers);
                }
                return next.startCall(call, headers);
            }
        };
        server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(ServerInterceptors.intercept(this, headerRecorder)).build().start();
    }

    int port() {
        return server.getPort();
    }

    /**
     * The next {@code count} calls of {@code method} (e.g. "Mutate") are applied, but their reply
     * is lost: the client sees UNAVAILABLE, as when the connection drops after the commit.
     */
    void loseRepliesAfterApplying(String method, int count) {
        repliesToLose.put(method, new AtomicInteger(count));
    }

    /**
     * The next {@code count} calls of {@code method} are applied at once and answered {@code ms}
     * later. The namespace handlers hold this master's lock while they answer, so calls that
     * come meanwhile wait too, as behind a stalled leader.
     */
    void delayRepliesAfterApplying(String method, int count, long ms) {
        replyDelayMs = ms;
        repliesToDelay.put(method, new AtomicInteger(count));
    }

    private static final class SlowReplyCall<Q, R> extends io.grpc.ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
        private final long delayMs;

        SlowReplyCall(ServerCall<Q, R> call, long delayMs) {
            super(call);
            this.delayMs = delayMs;
        }

        @Override
        public void sendMessage(R message) {
            try {
                Thread.sleep(delayMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            super.sendMessage(message);
        }
    }

    /** Applies the call, then drops its reply and fails it as a dropped connection would. */
    private static final class ReplyLosingCall<Q, R> extends io.grpc.ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
        ReplyLosingCall(ServerCall<Q, R> call) {
            super(call);
        }

        @Override
        public void sendMessage(R message) {
            // lost on the way
        }

        @Override
        public void close(io.grpc.Status status, Metadata trailers) {
            super.close(io.grpc.Status.UNAVAILABLE.withDescription("connection reset (test: reply lost)"), trailers);
        }
    }

    ClientOptions.Builder options() {
        return ClientOptions.builder().master("127.0.0.1", port()).credentials(UserCredentials.root())
                .rpcTimeoutMs(5_000).dataTimeoutMs(2_000);
    }

    @Override
    public void close() {
        server.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ helpers

    private static <T> void reply(StreamObserver<T> out, T value) {
        out.onNext(value);
        out.onCompleted();
    }

    synchronized Attr attr(Node n) {
        return Attr.newBuilder().setInode(n.inode).setType(n.type).setMode(n.mode).setUid(n.uid).setGid(n.gid)
                .setSize(n.type == FileType.SYMLINK ? n.target.length() : n.size).setNlink(n.nlink)
                .setGoal(n.goal).setRdev(n.rdev).build();
    }

    private AttrReply attrReply(Node n) {
        return AttrReply.newBuilder().setAttr(attr(n)).build();
    }

    private static AttrReply attrError(Status s) {
        return AttrReply.newBuilder().setStatus(s.code()).build();
    }

    private Node newNode(FileType type, int mode) {
        Node n = new Node(nextInode++, type, mode);
        nodes.put(n.inode, n);
        return n;
    }

    // ------------------------------------------------------------------ namespace

    @Override
    public synchronized void lookup(LookupRequest r, StreamObserver<AttrReply> out) {
        if (followerOf != null) {
            notLeaderReplies.incrementAndGet();
            reply(out, AttrReply.newBuilder().setStatus(Status.NOT_LEADER.code()).setMessage(followerOf).build());
            return;
        }
        Node parent = nodes.get(r.getParent());
        if (parent == null) {
            reply(out, attrError(Status.ENOENT));
        } else if (parent.type != FileType.DIRECTORY) {
            reply(out, attrError(Status.ENOTDIR));
        } else {
            Long child = parent.children.get(r.getName());
            reply(out, child == null ? attrError(Status.ENOENT) : attrReply(nodes.get(child)));
        }
    }

    @Override
    public synchronized void getAttr(GetAttrRequest r, StreamObserver<AttrReply> out) {
        if (followerOf != null) {
            notLeaderReplies.incrementAndGet();
            reply(out, AttrReply.newBuilder().setStatus(Status.NOT_LEADER.code()).setMessage(followerOf).build());
            return;
        }
        Node n = nodes.get(r.getInode());
        reply(out, n == null ? attrError(Status.ENOENT) : attrReply(n));
    }

    @Override
    public synchronized void readDir(ReadDirRequest r, StreamObserver<ReadDirReply> out) {
        Node dir = nodes.get(r.getInode());
        if (dir == null || dir.type != FileType.DIRECTORY) {
            reply(out, ReadDirReply.newBuilder().setStatus(dir == null ? Status.ENOENT.code() : Status.ENOTDIR.code())
                    .build());
            return;
        }
        ReadDirReply.Builder b = ReadDirReply.newBuilder();
        List<Map.Entry<String, Long>> entries = new ArrayList<>(dir.children.entrySet());
        int from = (int) r.getCookie();
        int to = Math.min(entries.size(), from + Math.max(1, r.getMaxEntries()));
        for (int i = from; i < to; i++) {
            Node child = nodes.get(entries.get(i).getValue());
            b.addEntries(DirEntry.newBuilder().setName(entries.get(i).getKey()).setInode(child.inode)
                    .setType(child.type).setCookie(i + 1));
        }
        reply(out, b.setEof(to == entries.size()).build());
    }

    @Override
    public synchronized void readLink(ReadLinkRequest r, StreamObserver<ReadLinkReply> out) {
        Node n = nodes.get(r.getInode());
        reply(out, n == null || n.type != FileType.SYMLINK
                ? ReadLinkReply.newBuilder().setStatus(Status.EINVAL.code()).build()
                : ReadLinkReply.newBuilder().setTarget(n.target).build());
    }

    @Override
    public synchronized void getXattr(GetXattrRequest r, StreamObserver<GetXattrReply> out) {
        ByteString v = nodes.get(r.getInode()).xattrs.get(r.getName());
        reply(out, v == null ? GetXattrReply.newBuilder().setStatus(Status.ENODATA.code()).build()
                : GetXattrReply.newBuilder().setValue(v).build());
    }

    @Override
    public synchronized void listXattr(ListXattrRequest r, StreamObserver<ListXattrReply> out) {
        reply(out, ListXattrReply.newBuilder().addAllNames(nodes.get(r.getInode()).xattrs.keySet()).build());
    }

    @Override
    public void statFs(StatFsRequest r, StreamObserver<StatFsReply> out) {
        reply(out, StatFsReply.newBuilder().setTotalBytes(1000).setFreeBytes(600).setUsedBytes(400).setInodes(7)
                .build());
    }

    @Override
    public synchronized void mutate(MutateRequest r, StreamObserver<MetaResult> out) {
        if (followerOf != null) {
            notLeaderReplies.incrementAndGet();
            reply(out, MetaResult.newBuilder().setStatus(Status.NOT_LEADER.code()).setMessage(followerOf).build());
            return;
        }
        MetaOp op = r.getOp();
        mutateRequestIds.add(op.getRequestId());
        MetaResult earlier = appliedMutations.get(op.getRequestId());
        if (earlier != null) {
            reply(out, earlier);
            return;
        }
        mutateCredentials.add(op.getCred());
        MetaResult.Builder result = MetaResult.newBuilder();
        Status status = switch (op.getOpCase()) {
            case CREATE -> create(op.getCreate(), result);
            case SYMLINK -> {
                Node parent = nodes.get(op.getSymlink().getParent());
                if (parent.children.containsKey(op.getSymlink().getName())) {
                    yield Status.EEXIST;
                }
                Node link = newNode(FileType.SYMLINK, 0777);
                link.target = op.getSymlink().getTarget();
                parent.children.put(op.getSymlink().getName(), link.inode);
                result.setAttr(attr(link));
                yield Status.OK;
            }
            case LINK -> {
                Node parent = nodes.get(op.getLink().getNewParent());
                Node target = nodes.get(op.getLink().getInode());
                if (parent.children.containsKey(op.getLink().getNewName())) {
                    yield Status.EEXIST;
                }
                target.nlink++;
                parent.children.put(op.getLink().getNewName(), target.inode);
                result.setAttr(attr(target));
                yield Status.OK;
            }
            case UNLINK -> unlink(op.getUnlink());
            case RENAME -> {
                RenameOp rename = op.getRename();
                Long moved = nodes.get(rename.getParent()).children.remove(rename.getName());
                if (moved == null) {
                    yield Status.ENOENT;
                }
                nodes.get(rename.getNewParent()).children.put(rename.getNewName(), moved);
                result.setAttr(attr(nodes.get(moved)));
                yield Status.OK;
            }
            case SET_XATTR -> {
                nodes.get(op.getSetXattr().getInode()).xattrs.put(op.getSetXattr().getName(),
                        op.getSetXattr().getValue());
                yield Status.OK;
            }
            case REMOVE_XATTR -> nodes.get(op.getRemoveXattr().getInode()).xattrs
                    .remove(op.getRemoveXattr().getName()) == null ? Status.ENODATA : Status.OK;
            case SET_GOAL -> {
                Node n = nodes.get(op.getSetGoal().getInode());
                n.goal = op.getSetGoal().getGoal();
                result.setAttr(attr(n));
                yield Status.OK;
            }
            default -> Status.EINVAL;
        };
        MetaResult done = result.setStatus(status.code()).build();
        if (!op.getRequestId().isEmpty()) {
            appliedMutations.put(op.getRequestId(), done);
        }
        reply(out, done);
    }

    private Status create(CreateOp c, MetaResult.Builder result) {
        Node parent = nodes.get(c.getParent());
        if (parent == null) {
            return Status.ENOENT;
        }
        Long existing = parent.children.get(c.getName());
        if (existing != null) {
            Node e = nodes.get(existing);
            if (c.getType() == FileType.REGULAR && !c.getExclusive() && e.type == FileType.REGULAR) {
                result.setAttr(attr(e));
                return Status.OK;
            }
            return Status.EEXIST;
        }
        Node n = newNode(c.getType(), c.getMode());
        n.rdev = c.getRdev();
        parent.children.put(c.getName(), n.inode);
        result.setAttr(attr(n));
        return Status.OK;
    }

    private Status unlink(UnlinkOp u) {
        Node parent = nodes.get(u.getParent());
        Long child = parent.children.get(u.getName());
        if (child == null) {
            return Status.ENOENT;
        }
        Node n = nodes.get(child);
        if (u.getIsDir() && n.type != FileType.DIRECTORY) {
            return Status.ENOTDIR;
        }
        if (!u.getIsDir() && n.type == FileType.DIRECTORY) {
            return Status.EISDIR;
        }
        if (u.getIsDir() && !n.children.isEmpty()) {
            return Status.ENOTEMPTY;
        }
        parent.children.remove(u.getName());
        return Status.OK;
    }

    @Override
    public synchronized void setAttr(SetAttrRequest r, StreamObserver<SetAttrReply> out) {
        setAttrRequestIds.add(r.getRequestId());
        SetAttrReply earlier = appliedSetAttrs.get(r.getRequestId());
        if (earlier != null) {
            reply(out, earlier);
            return;
        }
        SetAttrOp op = r.getOp();
        Node n = nodes.get(op.getInode());
        SetAttrReply.Builder b = SetAttrReply.newBuilder();
        if ((op.getValid() & SetAttrOp.Field.SET_MODE_VALUE) != 0) {
            n.mode = op.getMode();
        }
        if ((op.getValid() & SetAttrOp.Field.SET_UID_VALUE) != 0) {
            n.uid = op.getUid();
        }
        if ((op.getValid() & SetAttrOp.Field.SET_GID_VALUE) != 0) {
            n.gid = op.getGid();
        }
        if ((op.getValid() & SetAttrOp.Field.SET_SIZE_VALUE) != 0) {
            long size = op.getSize();
            n.chunks.tailMap((size + Layout.CHUNK_SIZE_BYTES - 1) / Layout.CHUNK_SIZE_BYTES, true).clear();
            ChunkState cut = size % Layout.CHUNK_SIZE_BYTES == 0 ? null : n.chunks.get(size / Layout.CHUNK_SIZE_BYTES);
            if (cut != null && size < n.size) {
                cut.previousVersion = cut.version;
                cut.version++;
                b.setTruncatedChunk(ref(cut)).addAllChain(cut.replicas);
            }
            n.size = size;
        }
        SetAttrReply done = b.setAttr(attr(n)).build();
        if (!r.getRequestId().isEmpty()) {
            appliedSetAttrs.put(r.getRequestId(), done);
        }
        reply(out, done);
    }

    // ------------------------------------------------------------------ chunks

    private static ChunkRef ref(ChunkState c) {
        return ChunkRef.newBuilder().setChunkId(c.id).setVersion(c.version).setPreviousVersion(c.previousVersion)
                .setChunkIndex(c.index).build();
    }

    @Override
    public synchronized void readChunk(ReadChunkRequest r, StreamObserver<ReadChunkReply> out) {
        readChunkCalls.incrementAndGet();
        if (notReadyChunkReplies.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
            reply(out, ReadChunkReply.newBuilder().setStatus(Status.NOT_READY.code()).setMessage("starting").build());
            return;
        }
        Node n = nodes.get(r.getInode());
        ChunkState c = n.chunks.get(r.getChunkIndex());
        ReadChunkReply.Builder b = ReadChunkReply.newBuilder().setFileSize(n.size);
        if (c == null) {
            b.setChunk(ChunkRef.newBuilder().setChunkIndex(r.getChunkIndex()));
        } else {
            List<ChunkServerAddress> once = readReplicasOnce.getAndSet(null);
            b.setChunk(ref(c)).addAllReplicas(once != null ? once : c.replicas);
        }
        reply(out, b.build());
    }

    @Override
    public synchronized void writeChunk(WriteChunkRequest r, StreamObserver<WriteChunkReply> out) {
        writeChunkRequests.add(r);
        if (notReadyChunkReplies.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
            reply(out, WriteChunkReply.newBuilder().setStatus(Status.NOT_READY.code()).setMessage("starting").build());
            return;
        }
        Node n = nodes.get(r.getInode());
        ChunkState c = n.chunks.computeIfAbsent(r.getChunkIndex(), i -> new ChunkState(nextChunk++, i));
        // previousVersion is the lease's base: a re-lease (exclusions) keeps it, since chain
        // members may not have received a frame of the lease it replaces; a fresh session
        // starts from the current version (as after the master's lease lapsed).
        if (r.getExcludeServersCount() == 0) {
            c.previousVersion = c.version;
        }
        c.version++;
        // A session's re-lease keeps the survivors of its chain; a fresh session picks servers anew.
        List<ChunkServerAddress> candidates = r.getExcludeServersCount() > 0 && !c.replicas.isEmpty()
                ? c.replicas : servers;
        List<ChunkServerAddress> chain = candidates.stream()
                .filter(s -> !r.getExcludeServersList().contains(s.getServerId())
                        && !r.getExcludeServersList().contains(s.getHost() + ":" + s.getPort()))
                .limit(n.goal).toList();
        c.replicas = chain;
        reply(out, WriteChunkReply.newBuilder().setChunk(ref(c)).addAllChain(chain).build());
    }

    @Override
    public synchronized void writeChunkEnd(WriteChunkEndRequest r, StreamObserver<AttrReply> out) {
        onWriteChunkEnd.accept(r);
        writeChunkEnds.add(r);
        Node n = nodes.get(r.getInode());
        n.size = Math.max(n.size, r.getNewSize());
        reply(out, attrReply(n));
    }

    @Override
    public synchronized void clusterInfo(ClusterInfoRequest r, StreamObserver<ClusterInfoReply> out) {
        reply(out, ClusterInfoReply.newBuilder().setClusterId(CLUSTER_ID).setVersion("test").setLeader("127.0.0.1:9419")
                .setInodes(nodes.size()).setChunkServers(servers.size()).build());
    }

    @Override
    public synchronized void chunkServers(ChunkServersRequest r, StreamObserver<ChunkServersReply> out) {
        ChunkServersReply.Builder b = ChunkServersReply.newBuilder();
        for (ChunkServerAddress s : servers) {
            b.addServers(ChunkServerInfo.newBuilder().setServerId(s.getServerId()).setHost(s.getHost())
                    .setPort(s.getPort()).setAlive(true).setTotalBytes(100).setFreeBytes(40).setChunks(3));
        }
        reply(out, b.build());
    }

    @Override
    public synchronized void fileInfo(FileInfoRequest r, StreamObserver<FileInfoReply> out) {
        Node n = nodes.get(r.getInode());
        FileInfoReply.Builder b = FileInfoReply.newBuilder().setAttr(attr(n));
        for (ChunkState c : n.chunks.values()) {
            ChunkInfo.Builder info = ChunkInfo.newBuilder().setChunk(ref(c));
            for (ChunkServerAddress s : c.replicas) {
                info.addReplicas(ChunkReplica.newBuilder().setServerId(s.getServerId()).setHost(s.getHost())
                        .setPort(s.getPort()).setVersion(c.version).setValid(true));
            }
            b.addChunks(info);
        }
        reply(out, b.build());
    }
}
