package org.mooseng.master.raft;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import com.alipay.sofa.jraft.Closure;
import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.RaftGroupService;
import com.alipay.sofa.jraft.closure.ReadIndexClosure;
import com.alipay.sofa.jraft.conf.Configuration;
import com.alipay.sofa.jraft.core.NodeImpl;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.entity.Task;
import com.alipay.sofa.jraft.error.RaftException;
import com.alipay.sofa.jraft.option.NodeOptions;
import com.alipay.sofa.jraft.option.RaftOptions;
import com.alipay.sofa.jraft.rpc.RpcServer;
import org.mooseng.common.Status;
import org.mooseng.meta.MetadataStateMachine;
import org.mooseng.proto.MetaOp;
import org.mooseng.proto.MetaResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This master's member of the Raft group (SOFAJRaft): the only way a {@link MetaOp} reaches
 * the {@link MetadataStateMachine}. Proposals are handed to jraft without waiting, so
 * concurrent callers are batched into shared log appends and fsyncs (group commit).
 */
public final class RaftNode implements MetaLog, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RaftNode.class);
    static final String GROUP_ID = RaftEndpoints.GROUP_ID;
    private static final byte[] NO_READ_CONTEXT = new byte[0];
    /** Where the Raft log's segments are, under the member's directory ({@link SegmentLogStorage}). */
    static final String SEGMENT_LOG_DIR = "log-segments";
    private static final java.time.Duration SHUTDOWN_WAIT = java.time.Duration.ofSeconds(10);
    /** How often the member checks its free disk space and, leading, which members answer. */
    private static final java.time.Duration WATCH_INTERVAL = java.time.Duration.ofSeconds(1);

    /** Told when this member becomes a leader ready to serve, or stops being one. */
    public interface LeadershipListener {
        void onLeaderReady(long term);

        void onLeaderLost();
    }

    private final RaftSettings settings;
    private final LeadershipListener listener;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final DiskSpaceGuard.FreeSpace freeSpace;
    private final DiskSpaceGuard diskGuard;
    private final PeerReachability peers;
    private final ScheduledExecutorService watch = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("raft-watch").factory());
    private volatile boolean leaderReady;
    private MetadataStateMachine stateMachine;
    private RaftGroupService groupService;
    private Node node;

    private RaftNode(RaftSettings settings, LeadershipListener listener, DiskSpaceGuard.FreeSpace freeSpace) {
        this.settings = settings;
        this.listener = listener;
        this.freeSpace = freeSpace;
        this.diskGuard = new DiskSpaceGuard(settings.dir(), settings.minFreeBytes(), freeSpace,
                this::stopOnLowDiskSpace);
        this.peers = new PeerReachability(settings.self());
    }

    /** Starts the member; the state machine must already be open and stays owned by the caller. */
    public static RaftNode start(RaftSettings settings, MetadataStateMachine stateMachine,
                                 LeadershipListener listener) throws IOException {
        return start(settings, stateMachine, listener, DiskSpaceGuard.FreeSpace.FILE_STORE);
    }

    /** As the public {@code start}, with the free disk space read from {@code freeSpace} (tests). */
    static RaftNode start(RaftSettings settings, MetadataStateMachine stateMachine, LeadershipListener listener,
                          DiskSpaceGuard.FreeSpace freeSpace) throws IOException {
        RaftNode raft = new RaftNode(settings, listener, freeSpace);
        raft.startGroup(stateMachine);
        return raft;
    }

    private void startGroup(MetadataStateMachine stateMachine) throws IOException {
        this.stateMachine = stateMachine;
        Files.createDirectories(settings.dir());
        PeerId self = parsePeer(settings.self());
        Configuration members = new Configuration();
        for (String member : settings.members()) {
            members.addPeer(parsePeer(member));
        }

        RaftOptions raftOptions = RaftEndpoints.memberRaftOptions();
        // jraft adds a random delay of up to this before a follower stands (1 s by default, on
        // top of the election timeout): a quarter of the timeout still spreads two followers'
        // elections apart, and pre-vote keeps a split vote from costing a term.
        raftOptions.setMaxElectionDelayMs(Math.max(1, settings.electionTimeoutMs() / 4));
        // Reads are served under the leader's lease (decision 0009): while a majority answered
        // within the lease (nine tenths of the election timeout), no other member can have been
        // elected, so a read needs no heartbeat round; past it, jraft falls back to read index.
        raftOptions.setReadOnlyOptions(com.alipay.sofa.jraft.option.ReadOnlyOption.ReadOnlyLeaseBased);

        NodeOptions options = new NodeOptions();
        options.setRaftOptions(raftOptions);
        options.setInitialConf(members);
        options.setElectionTimeoutMs(settings.electionTimeoutMs());
        options.setSnapshotIntervalSecs(settings.snapshotIntervalS());
        options.setFsm(new MetaStateMachineAdapter(stateMachine, this, settings.dir().resolve("restore-scratch")));
        Path rocksLog = settings.dir().resolve("log");
        if (Files.exists(rocksLog.resolve("CURRENT"))) {
            // A data directory made before the segment log: its entries stay where they are.
            options.setLogUri(rocksLog.toString());
            LOG.info("master raft {}: the log is jraft's RocksDB log in {}", settings.self(), rocksLog);
        } else {
            options.setLogUri(settings.dir().resolve(SEGMENT_LOG_DIR).toString());
            options.setServiceFactory(SegmentLogStorage.serviceFactory());
        }
        options.setRaftMetaUri(settings.dir().resolve("meta").toString());
        options.setSnapshotUri(settings.dir().resolve("snapshot").toString());
        options.setSharedTimerPool(true);

        RpcServer rpcServer = RaftEndpoints.boundRpcServer(settings.bindHost(), self.getPort());
        JraftSignals.loadNodeKeepingJvmSignals();
        groupService = new RaftGroupService(GROUP_ID, self, options, rpcServer);
        try {
            node = groupService.start();
        } catch (RuntimeException e) {
            throw new IOException("master raft " + settings.self() + ": cannot start: " + e.getMessage(), e);
        }
        if (node == null) {
            groupService.shutdown();
            throw new IOException("master raft " + settings.self() + ": cannot start (port in use or storage "
                    + "unreadable in " + settings.dir() + "; see the log)");
        }
        watch.scheduleWithFixedDelay(this::watchOnce, 0, WATCH_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        if (settings.joining()) {
            LOG.info("master raft {} started with no configuration: it joins the group once the leader adds it"
                    + " (mooseng admin add-master {})", settings.self(), settings.self());
        } else {
            LOG.info("master raft {} started, group {}", settings.self(), settings.members());
        }
    }

    static PeerId parsePeer(String hostPort) {
        return RaftEndpoints.parsePeer(hostPort);
    }

    /**
     * Appends the op to the log; the future completes with {@code apply}'s result once the op
     * is committed and applied here. On a member that is not the ready leader it completes
     * at once with NOT_LEADER, whose message is the leader's client address when known.
     */
    @Override
    public CompletableFuture<MetaResult> propose(MetaOp op) {
        if (!isLeader()) {
            return CompletableFuture.completedFuture(notLeaderResult(""));
        }
        ProposalClosure closure = new ProposalClosure(this);
        node.apply(new Task(ByteBuffer.wrap(op.toByteArray()), closure));
        return closure.result;
    }

    @Override
    public CompletableFuture<Boolean> readBarrier() {
        if (!isLeader()) {
            return CompletableFuture.completedFuture(false);
        }
        if (soleVoter()) {
            // No other member can be elected, and an acknowledged change was applied before its
            // reply: the state machine is current. (jraft's read index would still queue the
            // read through its own thread and back.)
            return CompletableFuture.completedFuture(true);
        }
        CompletableFuture<Boolean> confirmed = new CompletableFuture<>();
        node.readIndex(NO_READ_CONTEXT, new ReadIndexClosure() {
            @Override
            public void run(com.alipay.sofa.jraft.Status status, long index, byte[] context) {
                confirmed.complete(status.isOk());
            }
        });
        return confirmed;
    }

    /**
     * Whether this member is the group's only voter. jraft's configuration is its newest entry,
     * committed or not, so a member being added counts from the start of the change on.
     */
    private boolean soleVoter() {
        Node n = node;
        try {
            return n != null && n.listPeers().size() == 1;
        } catch (IllegalStateException e) {
            return false; // no longer leading
        }
    }

    /** Whether this member leads and has applied everything committed before its term. */
    @Override
    public boolean isLeader() {
        Node n = node;
        return leaderReady && n != null && n.isLeader();
    }

    /** The leader's Raft address (host:raftPort), when known. */
    @Override
    public Optional<String> leaderRaftAddress() {
        Node n = node;
        PeerId leader = n == null ? null : n.getLeaderId();
        return leader == null || leader.isEmpty() ? Optional.empty() : Optional.of(leader.getEndpoint().toString());
    }

    /** The leader's client address (host:clientPort), when both are known. */
    @Override
    public Optional<String> leaderClientAddress() {
        return leaderRaftAddress().flatMap(this::clientAddressOf);
    }

    /**
     * The client address of a member given as host:raftPort. Members of a group keep the same
     * distance between their Raft and client ports (the same numbers on separate hosts, or
     * 'mooseng up', which gives every master its own block), so it is this member's distance
     * applied to the other's Raft port. Empty when this member's CLIENT_PORT is 0 (unknown).
     */
    public Optional<String> clientAddressOf(String raftAddress) {
        if (settings.clientPort() == 0) {
            return Optional.empty();
        }
        PeerId peer = parsePeer(raftAddress);
        int offset = settings.clientPort() - parsePeer(settings.self()).getPort();
        int port = peer.getPort() + offset;
        if (port <= 0 || port > 65535) {
            return Optional.empty();
        }
        return Optional.of(peer.getIp() + ":" + port);
    }

    @Override
    public long commitIndex() {
        Node n = node;
        return n == null ? 0 : indexOf(n::getLastCommittedIndex);
    }

    @Override
    public long appliedIndex() {
        Node n = node;
        return n == null ? 0 : indexOf(n::getLastAppliedLogIndex);
    }

    /**
     * One of jraft's indexes; jraft refuses to tell them once the member stopped on an error,
     * and then the namespace store's applied index stands for all of them, so that a stopped
     * master still answers ClusterInfo and 'admin masters' (clients move on to the others).
     */
    long indexOf(LongSupplier jraftIndex) {
        try {
            return jraftIndex.getAsLong();
        } catch (IllegalStateException e) {
            return stateMachine.lastAppliedIndex();
        }
    }

    /** This member's view of the group, for operators. */
    public RaftStatus status() {
        Node n = node;
        if (n == null) {
            return new RaftStatus(settings.self(), RaftStatus.Role.INACTIVE, "STATE_UNINITIALIZED", 0, 0, 0, 0,
                    Optional.empty(), -1, List.of(), List.of());
        }
        return JraftNodeState.read(n, settings.self(), this::indexOf);
    }

    /** The outcome of a change to the group: OK, or a status with the Raft library's reason. */
    public record GroupChange(Status status, String message) {
        static final GroupChange OK = new GroupChange(Status.OK, "");
    }

    /**
     * Hands leadership to another voting member (maintenance of this one's host). Completes
     * once the transfer has started; the target takes over as soon as it has caught up.
     */
    public CompletableFuture<GroupChange> transferLeadership(String raftAddress) {
        if (!isLeader()) {
            return CompletableFuture.completedFuture(notLeaderChange());
        }
        com.alipay.sofa.jraft.Status status = node.transferLeadershipTo(parsePeer(raftAddress));
        if (!status.isOk()) {
            LOG.warn("master raft {}: leadership transfer to {} refused: {}", settings.self(), raftAddress, status);
            return CompletableFuture.completedFuture(groupChangeError(status));
        }
        LOG.info("master raft {}: handing leadership to {}", settings.self(), raftAddress);
        return CompletableFuture.completedFuture(GroupChange.OK);
    }

    /** Adds a voting member; completes once it has caught up and the new configuration is committed. */
    public CompletableFuture<GroupChange> addMember(String raftAddress) {
        return changeMembers("adding", raftAddress, (peer, done) -> node.addPeer(peer, done));
    }

    /** Removes a voting member; completes once the new configuration is committed. */
    public CompletableFuture<GroupChange> removeMember(String raftAddress) {
        return changeMembers("removing", raftAddress, (peer, done) -> node.removePeer(peer, done));
    }

    private CompletableFuture<GroupChange> changeMembers(String action, String raftAddress,
                                                         BiConsumer<PeerId, Closure> change) {
        if (!isLeader()) {
            return CompletableFuture.completedFuture(notLeaderChange());
        }
        PeerId peer = parsePeer(raftAddress);
        CompletableFuture<GroupChange> done = new CompletableFuture<>();
        LOG.info("master raft {}: {} member {}", settings.self(), action, raftAddress);
        change.accept(peer, status -> {
            if (status.isOk()) {
                LOG.info("master raft {}: {} member {}: committed", settings.self(), action, raftAddress);
                done.complete(GroupChange.OK);
            } else {
                LOG.warn("master raft {}: {} member {} failed: {}", settings.self(), action, raftAddress, status);
                done.complete(groupChangeError(status));
            }
        });
        return done;
    }

    private GroupChange notLeaderChange() {
        return new GroupChange(Status.NOT_LEADER, leaderClientAddress().orElse(""));
    }

    private GroupChange groupChangeError(com.alipay.sofa.jraft.Status status) {
        return switch (status.getRaftError()) {
            case EPERM -> notLeaderChange();
            case EBUSY -> new GroupChange(Status.EBUSY, status.getErrorMsg());
            case EINVAL -> new GroupChange(Status.EINVAL, status.getErrorMsg());
            case ECATCHUP -> new GroupChange(Status.ETIMEDOUT, "the new member did not catch up: "
                    + status.getErrorMsg());
            default -> new GroupChange(Status.EIO, status.getRaftError() + ": " + status.getErrorMsg());
        };
    }

    /** Takes a snapshot now (normally taken every SNAPSHOT_INTERVAL_S); completes when saved. */
    public CompletableFuture<Void> snapshot() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        node.snapshot(status -> {
            if (status.isOk()) {
                done.complete(null);
            } else {
                done.completeExceptionally(new IOException("snapshot failed: " + status));
            }
        });
        return done;
    }

    MetaResult notLeaderResult(String detail) {
        String leader = leaderClientAddress().orElse("");
        if (!detail.isEmpty()) {
            // The message must stay the bare leader address (clients parse it), so the detail is
            // logged instead of being sent.
            LOG.debug("master raft {}: {}", settings.self(), detail);
        }
        return MetaResult.newBuilder().setStatus(Status.NOT_LEADER.code()).setMessage(leader).build();
    }

    private void watchOnce() {
        try {
            diskGuard.check();
            Node n = node;
            if (n != null && n.isLeader()) {
                Map<String, PeerId> members = new HashMap<>();
                List<String> alive = new ArrayList<>();
                n.listPeers().forEach(p -> members.put(JraftNodeState.address(p), p));
                n.listLearners().forEach(p -> members.put(JraftNodeState.address(p), p));
                n.listAlivePeers().forEach(p -> alive.add(JraftNodeState.address(p)));
                n.listAliveLearners().forEach(p -> alive.add(JraftNodeState.address(p)));
                for (String member : peers.observe(members.keySet(), alive)) {
                    reconnect(n, members.get(member));
                }
            } else {
                peers.forget();
            }
        } catch (IllegalStateException e) {
            // Leadership lost between the check and the listing: the next round sees it.
            peers.forget();
        } catch (RuntimeException e) {
            LOG.warn("master raft {}: watch round failed", settings.self(), e);
        }
    }

    /**
     * Drops the transport's connection state for {@code peer} and connects again at once
     * (see {@link PeerReachability}); jraft's next replicator check, within a heartbeat, then
     * finds the connection and starts sending the log. A member that is really down just
     * fails the connect again.
     */
    private void reconnect(Node n, PeerId peer) {
        if (n instanceof NodeImpl impl && impl.getRpcService() != null) {
            boolean connected = impl.getRpcService().disconnect(peer.getEndpoint())
                    && impl.getRpcService().connect(peer.getEndpoint());
            LOG.debug("master raft {}: reconnect to {}: {}", settings.self(), peer, connected ? "connected" : "failed");
        }
    }

    /**
     * This member cannot keep what it would acknowledge: stop it the way jraft stops a member
     * whose log write failed. A leader steps down (its pending proposals answer NOT_LEADER, and
     * the others elect a leader among themselves); the member neither votes nor stands again
     * until the master is restarted, and then catches up from the others.
     */
    private void stopOnLowDiskSpace(String reason) {
        if (!closed.get()) {
            DiskSpaceGuard.stopMember(node, reason);
        }
    }

    /**
     * jraft stopped this member: a log or snapshot write failed, the state machine could not
     * apply a committed entry ({@code cause}, when known), or {@link #stopOnLowDiskSpace}.
     * Logged once, here, for the operator.
     */
    void stoppedOnError(RaftException error, Throwable cause) {
        leaderReady = false;
        String free;
        try {
            free = DiskSpaceGuard.bytes(freeSpace.usableBytes(settings.dir()));
        } catch (IOException | RuntimeException e) {
            free = "unknown";
        }
        String message = "master raft " + settings.self() + ": stopped: " + error.getStatus().getErrorMsg() + " ("
                + error.getType() + "); data dir " + settings.dir() + " has " + free + " free. This master no longer"
                + " leads or votes and the others carry on without it; once the cause is gone (a full disk has room"
                + " again), restart it and it catches up from them";
        if (cause != null) {
            LOG.error(message, cause);
        } else {
            LOG.error(message);
        }
    }

    void leaderStarted(long term) {
        leaderReady = true;
        LOG.info("master raft {}: leader of term {}", settings.self(), term);
        listener.onLeaderReady(term);
    }

    void leaderStopped(String reason) {
        if (leaderReady) {
            LOG.info("master raft {}: no longer leader ({})", settings.self(), reason);
        }
        leaderReady = false;
        listener.onLeaderLost();
    }

    /** Stops the member and its Raft port; does not snapshot. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        leaderReady = false;
        watch.shutdownNow();
        if (groupService != null) {
            groupService.shutdown();
            // jraft's join can wait forever once its state machine stopped on an error; a master
            // being closed must not hang its caller, so the wait is bounded.
            Thread joiner = Thread.ofVirtual().name("raft-join").start(() -> {
                try {
                    groupService.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            try {
                if (!joiner.join(SHUTDOWN_WAIT)) {
                    LOG.warn("master raft {}: not stopped after {}, giving up waiting", settings.self(), SHUTDOWN_WAIT);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        LOG.info("master raft {} stopped", settings.self());
    }
}
