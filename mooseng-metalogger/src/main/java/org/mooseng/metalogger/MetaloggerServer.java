package org.mooseng.metalogger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.RaftGroupService;
import com.alipay.sofa.jraft.conf.Configuration;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.option.NodeOptions;
import org.mooseng.common.config.Config;
import org.mooseng.master.raft.DiskSpaceGuard;
import org.mooseng.master.raft.JraftSignals;
import org.mooseng.master.raft.RaftEndpoints;
import org.mooseng.meta.MetaStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One metalogger: a non-voting member (learner) of the masters' Raft group that applies the
 * metadata log to a namespace copy of its own and keeps the archive (checksummed log segments
 * and snapshots) that {@link Restore} turns into a new master. It asks the group's leader to
 * add it by itself, and serves its status on STATUS_PORT.
 *
 * <pre>
 * DATA_DIR/log/         archive: log segments          DATA_DIR/store/    namespace copy (RocksDB)
 * DATA_DIR/snapshots/   archive: snapshots             DATA_DIR/raft/     jraft log, meta, snapshots
 * DATA_DIR/raft-port    port picked when RAFT_PORT = 0 DATA_DIR/scratch/  checkpoints being copied
 * </pre>
 */
public final class MetaloggerServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetaloggerServer.class);
    /** The masters' Raft group. */
    public static final String GROUP_ID = RaftEndpoints.GROUP_ID;
    static final String STORE_DIR = "store";
    static final String RAFT_DIR = "raft";
    static final String SCRATCH_DIR = "scratch";
    static final String RAFT_PORT_FILE = "raft-port";
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(10);

    private final String self;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Checks the data directory's free space every second. */
    private final ScheduledExecutorService diskWatch = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("metalogger-disk-guard").factory());
    /** Why the metalogger stopped following the log for lack of disk space; empty while it has room. */
    private volatile String diskProblem = "";
    private MetaStore store;
    private MetadataArchive archive;
    private SnapshotTaker snapshots;
    private LearnerStateMachine stateMachine;
    private StatusEndpoint statusEndpoint;
    private RaftGroupService groupService;
    private volatile Node node;
    private LearnerJoin join;

    private MetaloggerServer(String self) {
        this.self = self;
    }

    /** Starts a metalogger; its ports are open when this returns, joining the group comes later. */
    public static MetaloggerServer start(Config config) throws IOException {
        return start(config, DiskSpaceGuard.FreeSpace.FILE_STORE);
    }

    /** As {@link #start(Config)}, with the free disk space read from {@code freeSpace} (tests). */
    static MetaloggerServer start(Config config, DiskSpaceGuard.FreeSpace freeSpace) throws IOException {
        Path dir = Path.of(config.get(MetaloggerConfig.DATA_DIR));
        Files.createDirectories(dir);
        String listenHost = config.get(MetaloggerConfig.LISTEN_HOST);
        String advertiseHost = config.get(MetaloggerConfig.ADVERTISE_HOST).isEmpty()
                ? listenHost : config.get(MetaloggerConfig.ADVERTISE_HOST);
        List<String> masters = RaftEndpoints.parsePeers(config.get(MetaloggerConfig.MASTER_PEERS));
        if (masters.isEmpty()) {
            throw new IOException("metalogger: MASTER_PEERS is empty; list the masters' Raft addresses (host:raftPort)");
        }
        int raftPort = Math.toIntExact(config.get(MetaloggerConfig.RAFT_PORT));
        if (raftPort == 0) {
            raftPort = RaftEndpoints.rememberedRaftPort(dir.resolve(RAFT_PORT_FILE), listenHost);
        }
        MetaloggerServer server = new MetaloggerServer(advertiseHost + ":" + raftPort);
        try {
            server.startAll(config, dir, listenHost, raftPort, masters);
            DiskSpaceGuard guard = new DiskSpaceGuard(dir, config.get(MetaloggerConfig.MIN_FREE_BYTES), freeSpace,
                    server::stopOnLowDiskSpace);
            server.diskWatch.scheduleWithFixedDelay(guard::check, 0, 1, TimeUnit.SECONDS);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private void startAll(Config config, Path dir, String listenHost, int raftPort, List<String> masters)
            throws IOException {
        store = MetaStore.open(dir.resolve(STORE_DIR), config.get(MetaloggerConfig.METADATA_CACHE_ENTRIES));
        archive = MetadataArchive.open(dir, config.get(MetaloggerConfig.SEGMENT_BYTES),
                Math.toIntExact(config.get(MetaloggerConfig.SNAPSHOTS_KEPT)));
        snapshots = new SnapshotTaker(store, archive, dir.resolve(SCRATCH_DIR));
        stateMachine = new LearnerStateMachine(store, archive, snapshots, dir.resolve(RAFT_DIR).resolve("restore-scratch"),
                System::currentTimeMillis);
        closeArchiveGap();

        statusEndpoint = new StatusEndpoint(listenHost, Math.toIntExact(config.get(MetaloggerConfig.STATUS_PORT)),
                this::status);

        PeerId selfPeer = parsePeer(self);
        Configuration group = new Configuration();
        for (String master : masters) {
            group.addPeer(parsePeer(master));
        }
        Configuration initial = new Configuration(group);
        // Listed as a learner in its own initial configuration, the node never starts an election
        // while it waits for the leader's configuration (which, once it is added, says the same).
        initial.addLearner(selfPeer);

        NodeOptions options = new NodeOptions();
        options.setRaftOptions(RaftEndpoints.memberRaftOptions());
        options.setInitialConf(initial);
        options.setSnapshotIntervalSecs(Math.toIntExact(config.get(MetaloggerConfig.SNAPSHOT_INTERVAL_S)));
        options.setFsm(stateMachine);
        Path raftDir = Files.createDirectories(dir.resolve(RAFT_DIR));
        options.setLogUri(raftDir.resolve("log").toString());
        options.setRaftMetaUri(raftDir.resolve("meta").toString());
        options.setSnapshotUri(raftDir.resolve("snapshot").toString());
        options.setSharedTimerPool(true);

        JraftSignals.loadNodeKeepingJvmSignals();
        groupService = new RaftGroupService(GROUP_ID, selfPeer, options, RaftEndpoints.boundRpcServer(listenHost, raftPort));
        try {
            node = groupService.start();
        } catch (RuntimeException e) {
            throw new IOException("metalogger raft " + self + ": cannot start: " + e.getMessage(), e);
        }
        if (node == null) {
            throw new IOException("metalogger raft " + self + ": cannot start (port in use or storage unreadable in "
                    + raftDir + "; see the log)");
        }
        join = new LearnerJoin(GROUP_ID, group, selfPeer);
        join.start();
        LOG.info("metalogger {} started: masters {}, archive {} (log to index {}, {} snapshot(s)), status {}:{}",
                self, masters, dir, archive.lastIndex(), archive.snapshotCount(), listenHost, statusPort());
    }

    /**
     * The archive must chain from a snapshot or record at the copy's applied index, or restores
     * could not reach what the copy applies next: after a damaged log tail was dropped, or when
     * the archive was moved away, a snapshot is taken before anything new is applied.
     */
    private void closeArchiveGap() throws IOException {
        long applied = store.lastAppliedIndex();
        if (applied > archive.lastIndex() && !archive.hasSnapshot(applied)) {
            LOG.warn("metalogger: archive ends at index {} but the namespace copy is at {}; taking a snapshot now",
                    archive.lastIndex(), applied);
            snapshots.take(stateMachine.lastOpTime()).join();
        }
    }

    /**
     * The disk is about full: stop the Raft member the way jraft stops one whose log write
     * failed, before a write fails half-way. It no longer receives or archives the log; the
     * status says why, and a restart once there is room catches up from the masters.
     */
    private void stopOnLowDiskSpace(String reason) {
        diskProblem = reason;
        LOG.error("metalogger {}: stopped: {}. It no longer follows the metadata log; once there is room again,"
                + " restart it and it catches up from the masters", self, reason);
        if (!closed.get()) {
            DiskSpaceGuard.stopMember(node, reason);
        }
    }

    static PeerId parsePeer(String hostPort) {
        return RaftEndpoints.parsePeer(hostPort);
    }

    // ------------------------------------------------------------------ what operators and tests see

    /** This metalogger's Raft address (host:raftPort), its identity as a learner. */
    public String raftAddress() {
        return self;
    }

    public int statusPort() {
        return statusEndpoint.port();
    }

    public MetaloggerStatus status() {
        Node n = node;
        String failure = !diskProblem.isEmpty() ? diskProblem : stateMachine == null ? "" : stateMachine.failure();
        String leader = stateMachine == null ? "" : stateMachine.leader();
        boolean joined = join != null && join.joined();
        String state;
        String problem;
        if (!failure.isEmpty()) {
            state = "FAILED";
            problem = failure;
        } else if (!joined) {
            state = "WAITING";
            problem = join == null || join.lastError().isEmpty() ? "not yet added by the leader" : join.lastError();
        } else if (leader.isEmpty()) {
            state = "WAITING";
            problem = "no leader";
        } else if (!snapshots.lastError().isEmpty()) {
            state = "RUNNING";
            problem = snapshots.lastError();
        } else {
            state = "RUNNING";
            problem = "";
        }
        long applied = store.lastAppliedIndex();
        long committed;
        try {
            committed = n == null ? 0 : n.getLastCommittedIndex();
        } catch (IllegalStateException e) {
            committed = applied; // a stopped member knows of nothing committed beyond what it applied
        }
        return new MetaloggerStatus(self, store.clusterId().orElse(""), leader, joined, state, problem,
                applied, committed, archive.lastIndex(),
                stateMachine.lastApplyWallMs(), stateMachine.lastOpTime().map(Instant::toEpochMilli).orElse(0L),
                archive.lastSnapshotIndex(), archive.snapshotCount(), archive.segmentCount());
    }

    /**
     * Snapshots now instead of at the next SNAPSHOT_INTERVAL_S: a jraft snapshot and an archive
     * snapshot of the applied index; completes once the archive snapshot is written. Nothing is
     * written when nothing was applied since the last snapshot.
     */
    public CompletableFuture<Void> takeSnapshot() {
        CompletableFuture<Void> raftSnapshot = new CompletableFuture<>();
        node.snapshot(status -> {
            if (status.isOk()) {
                raftSnapshot.complete(null);
            } else {
                raftSnapshot.completeExceptionally(new IOException("metalogger snapshot failed: " + status));
            }
        });
        return raftSnapshot.thenCompose(ignored -> snapshots.idle()).thenApply(ignored -> {
            if (!snapshots.lastError().isEmpty()) {
                throw new java.util.concurrent.CompletionException(new IOException(snapshots.lastError()));
            }
            return null;
        });
    }

    /** The namespace copy (tests and in-process tools). */
    public MetaStore namespace() {
        return store;
    }

    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    /** Stops the Raft member, the status port, the archive and the copy. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        diskWatch.shutdownNow();
        try {
            if (join != null) {
                join.close();
            }
            if (groupService != null) {
                groupService.shutdown();
                Thread joiner = Thread.ofVirtual().name("metalogger-raft-join").start(() -> {
                    try {
                        groupService.join();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                try {
                    if (!joiner.join(SHUTDOWN_WAIT)) {
                        LOG.warn("metalogger raft {}: not stopped after {}, giving up waiting", self, SHUTDOWN_WAIT);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (statusEndpoint != null) {
                statusEndpoint.close();
            }
            if (snapshots != null) {
                snapshots.close();
            }
            if (archive != null) {
                try {
                    archive.close();
                } catch (IOException e) {
                    LOG.warn("metalogger: closing the archive failed", e);
                }
            }
            if (store != null) {
                store.close();
            }
            LOG.info("metalogger {} stopped", self);
        } finally {
            terminated.countDown();
        }
    }
}
