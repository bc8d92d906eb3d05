package org.mooseng.metalogger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.common.config.Config;
import org.mooseng.master.MasterConfig;
import org.mooseng.master.MasterServer;
import org.mooseng.meta.MetaStore;
import org.mooseng.proto.AttrReply;
import org.mooseng.proto.CreateOp;
import org.mooseng.proto.Credentials;
import org.mooseng.proto.FileType;
import org.mooseng.proto.GetAttrRequest;
import org.mooseng.proto.LookupRequest;
import org.mooseng.proto.MasterClientServiceGrpc;
import org.mooseng.proto.MasterClientServiceGrpc.MasterClientServiceBlockingStub;
import org.mooseng.proto.MetaOp;
import org.mooseng.proto.MetaResult;
import org.mooseng.proto.MutateRequest;
import org.mooseng.proto.OpenSessionRequest;
import org.mooseng.proto.RenameOp;
import org.mooseng.proto.SetXattrOp;
import org.mooseng.proto.SymlinkOp;
import org.mooseng.proto.UnlinkOp;

/**
 * A real master (group of one) and a metalogger in one JVM: the metalogger joins by itself,
 * follows every mutation made through the master's client port, and its archive restores a
 * master that starts, keeps the cluster id and namespace, and takes new mutations.
 */
class MetaloggerMasterTest {
    private static final Duration READY = Duration.ofSeconds(30);
    private static final Credentials ROOT = Credentials.newBuilder().setUid(0).setGid(0).build();
    private static final String CLUSTER_ID = "metalogger-test-cluster";

    @TempDir
    Path tmp;
    private final List<AutoCloseable> running = new ArrayList<>();

    @AfterEach
    void stopAll() throws Exception {
        for (AutoCloseable c : running.reversed()) {
            c.close();
        }
    }

    @Test
    void metaloggerFollowsTheMasterAndItsArchiveRestoresANewMaster() throws Exception {
        int masterRaftPort = freePort();
        Config masterConfig = masterConfig(tmp.resolve("master"), masterRaftPort);
        MasterServer.format(masterConfig, CLUSTER_ID);
        MasterServer master = start(masterConfig);
        MasterClientServiceBlockingStub client = connect(master);

        Config metaloggerConfig = metaloggerConfig(masterRaftPort);
        MetaloggerServer metalogger = MetaloggerServer.start(metaloggerConfig);
        running.add(metalogger);
        MetaloggerServer first = metalogger;

        mutateSome(client, "first", 20);
        assertThat(client.openSession(OpenSessionRequest.newBuilder().setHost("h1").setMountPoint("/mnt").build())
                .getStatus()).isZero();
        awaitCaughtUp(metalogger, client, "first");
        await().atMost(READY).until(() -> master.raftStatus().learners().contains(first.raftAddress()));

        metalogger.takeSnapshot().get(30, TimeUnit.SECONDS);
        long snapshotIndex = metalogger.status().lastSnapshotIndex();
        assertThat(snapshotIndex).isPositive();

        // Down for a while: on restart it catches up, and jraft's replay of what it already holds
        // neither applies nor archives anything twice.
        metalogger.close();
        mutateSome(client, "while-down", 5);
        metalogger = MetaloggerServer.start(metaloggerConfig);
        running.add(metalogger);
        awaitCaughtUp(metalogger, client, "while-down");
        mutateSome(client, "second", 15);
        awaitCaughtUp(metalogger, client, "second");

        MetaloggerStatus status = MetaloggerStatusClient.fetch("127.0.0.1:" + metalogger.statusPort(),
                Duration.ofSeconds(5));
        assertThat(status.state()).isEqualTo("RUNNING");
        assertThat(status.joined()).isTrue();
        assertThat(status.leader()).isEqualTo("127.0.0.1:" + masterRaftPort);
        assertThat(status.clusterId()).isEqualTo(CLUSTER_ID);
        assertThat(status.appliedIndex()).isEqualTo(metalogger.namespace().lastAppliedIndex());
        assertThat(status.archivedIndex()).isEqualTo(status.appliedIndex());
        assertThat(status.lastSnapshotIndex()).isEqualTo(snapshotIndex);
        assertThat(status.segments()).isPositive();
        assertThat(status.lastApplyTimeMs()).isPositive();
        assertThat(status.lag(master.raftStatus().commitIndex())).isLessThanOrEqualTo(1);

        long metaloggerIndex = metalogger.namespace().lastAppliedIndex();
        List<String> metaloggerLines = NamespaceDigest.lines(metalogger.namespace(), metalogger.namespace());
        metalogger.close();
        master.close();
        try (MetaStore masterStore = MetaStore.open(tmp.resolve("master/meta"), 10_000)) {
            assertThat(masterStore.lastAppliedIndex()).isEqualTo(metaloggerIndex);
            assertThat(NamespaceDigest.lines(masterStore, masterStore)).containsExactlyElementsOf(metaloggerLines);
        }

        // Every master is gone: restore from the metalogger's archive and start a new one there.
        int newRaftPort = freePort();
        Path restored = tmp.resolve("restored");
        Restore.Outcome outcome = Restore.run(tmp.resolve("metalogger"), restored, RestoreTarget.latest(),
                "127.0.0.1:" + newRaftPort);
        assertThat(outcome.index()).isEqualTo(metaloggerIndex);
        assertThat(outcome.clusterId()).isEqualTo(CLUSTER_ID);
        assertThat(outcome.snapshotIndex()).isEqualTo(snapshotIndex);
        assertThat(outcome.replayedRecords()).isPositive();
        try (MetaStore restoredStore = MetaStore.open(restored.resolve("meta"), 10_000)) {
            assertThat(NamespaceDigest.lines(restoredStore, restoredStore)).containsExactlyElementsOf(metaloggerLines);
        }

        Config restoredConfig = masterConfig(restored, newRaftPort);
        MasterServer revived = start(restoredConfig);
        assertThat(revived.clusterId()).isEqualTo(CLUSTER_ID);
        MasterClientServiceBlockingStub revivedClient = connect(revived);
        assertThat(lookup(revivedClient, "second-done").getStatus()).isZero();
        // New changes are applied, not skipped as "already applied": the log goes on after the restored index.
        MetaResult created = mutate(revivedClient, create(1, "after-restore", FileType.DIRECTORY));
        assertThat(created.getStatus()).as(created.getMessage()).isZero();
        assertThat(revived.raftStatus().appliedIndex()).isGreaterThan(metaloggerIndex);
        revived.close();

        // ...and survive a restart of the revived master.
        MasterServer again = start(restoredConfig);
        MasterClientServiceBlockingStub againClient = connect(again);
        assertThat(lookup(againClient, "after-restore").getStatus()).isZero();
        assertThat(lookup(againClient, "first-3").getStatus()).isZero();
    }

    @Test
    void metaloggerJoiningAfterTheLogWasCompactedStartsFromTheLeadersSnapshot() throws Exception {
        int masterRaftPort = freePort();
        Config masterConfig = masterConfig(tmp.resolve("master"), masterRaftPort);
        MasterServer.format(masterConfig, CLUSTER_ID);
        MasterServer master = start(masterConfig);
        MasterClientServiceBlockingStub client = connect(master);
        mutateSome(client, "early", 10);
        // jraft drops the log up to the previous snapshot when it takes one: two snapshots, and the
        // entries from index 1 on are gone from the leader.
        master.takeSnapshot().get(30, TimeUnit.SECONDS);
        mutateSome(client, "between", 3);
        master.takeSnapshot().get(30, TimeUnit.SECONDS);
        mutateSome(client, "middle", 5);

        MetaloggerServer metalogger = MetaloggerServer.start(metaloggerConfig(masterRaftPort));
        running.add(metalogger);
        awaitCaughtUp(metalogger, client, "middle");
        // The installed snapshot leaves a hole in the archived log: an archive snapshot closes it.
        await().atMost(READY).until(() -> metalogger.status().lastSnapshotIndex() > 0);
        long installedIndex = metalogger.status().lastSnapshotIndex();
        mutateSome(client, "late", 5);
        awaitCaughtUp(metalogger, client, "late");
        List<String> metaloggerLines = NamespaceDigest.lines(metalogger.namespace(), metalogger.namespace());
        metalogger.close();

        Restore.Outcome outcome = Restore.run(tmp.resolve("metalogger"), tmp.resolve("restored"),
                RestoreTarget.latest(), "127.0.0.1:" + freePort());
        assertThat(outcome.snapshotIndex()).isEqualTo(installedIndex);
        assertThat(outcome.replayedRecords()).isPositive();
        try (MetaStore restored = MetaStore.open(tmp.resolve("restored/meta"), 10_000)) {
            assertThat(NamespaceDigest.lines(restored, restored)).containsExactlyElementsOf(metaloggerLines);
            assertThat(restored.lookup(ROOT, 1, "early-0").getStatus()).isZero();
        }
        // That snapshot carries no op time, and the log before it is missing: no restore to a time before.
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Restore.run(tmp.resolve("metalogger"),
                        tmp.resolve("restored-at-time"), RestoreTarget.time(java.time.Instant.now()), "127.0.0.1:1"))
                .hasMessageContaining("archive gap");
    }

    @Test
    void aMetaloggerWhoseDiskIsFullStopsFollowingAndSaysWhy() throws Exception {
        int masterRaftPort = freePort();
        Config masterConfig = masterConfig(tmp.resolve("master"), masterRaftPort);
        MasterServer.format(masterConfig, CLUSTER_ID);
        MasterServer master = start(masterConfig);
        MasterClientServiceBlockingStub client = connect(master);
        java.util.concurrent.atomic.AtomicLong free = new java.util.concurrent.atomic.AtomicLong(1L << 40);
        MetaloggerServer metalogger = MetaloggerServer.start(metaloggerConfig(masterRaftPort), dir -> free.get());
        running.add(metalogger);
        mutateSome(client, "before", 3);
        awaitCaughtUp(metalogger, client, "before");

        free.set(1L << 20); // below the default reserve of 64 MiB
        await().atMost(READY).until(() -> metalogger.status().state().equals("FAILED"));
        assertThat(metalogger.status().problem()).contains("below the reserve");
        long applied = metalogger.status().appliedIndex();
        // The master goes on without it; the metalogger archives nothing more.
        mutateSome(client, "after", 3);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                .until(() -> metalogger.status().appliedIndex() == applied);
        assertThat(metalogger.namespace().lookup(ROOT, 1, "after-done").getStatus()).isNotZero();
    }

    // ------------------------------------------------------------------ helpers

    /** A metalogger in tmp/metalogger following the master at {@code masterRaftPort}, its ports picked by the system. */
    private Config metaloggerConfig(int masterRaftPort) {
        return MetaloggerConfig.SCHEMA.defaults()
                .with(MetaloggerConfig.DATA_DIR, tmp.resolve("metalogger").toString())
                .with(MetaloggerConfig.RAFT_PORT, 0L)
                .with(MetaloggerConfig.STATUS_PORT, 0L)
                .with(MetaloggerConfig.MASTER_PEERS, "127.0.0.1:" + masterRaftPort);
    }

    private MasterServer start(Config config) throws IOException {
        MasterServer master = MasterServer.start(config);
        running.add(master);
        return master;
    }

    private MasterClientServiceBlockingStub connect(MasterServer master) {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", master.clientPort()).usePlaintext()
                .build();
        running.add(() -> {
            channel.shutdownNow();
            channel.awaitTermination(5, TimeUnit.SECONDS);
        });
        MasterClientServiceBlockingStub client = MasterClientServiceGrpc.newBlockingStub(channel);
        await().atMost(READY).until(() -> master.isLeader() && client.withDeadlineAfter(5, TimeUnit.SECONDS)
                .getAttr(GetAttrRequest.newBuilder().setInode(1).build()).getStatus() == 0);
        return client;
    }

    private static Config masterConfig(Path dir, int raftPort) {
        return MasterConfig.SCHEMA.defaults()
                .with(MasterConfig.DATA_DIR, dir.toString())
                .with(MasterConfig.RAFT_PORT, (long) raftPort)
                .with(MasterConfig.CLIENT_PORT, 0L)
                .with(MasterConfig.CLIENT_RPC_PORT, 0L)
                .with(MasterConfig.CHUNKSERVER_PORT, 0L)
                .with(MasterConfig.RAFT_ELECTION_TIMEOUT_MS, 300L)
                .with(MasterConfig.METADATA_CACHE_ENTRIES, 10_000L)
                // No session may expire (a logged change) while the copies are being compared.
                .with(MasterConfig.SESSION_LEASE_MS, 3_600_000L);
    }

    /** Directories, files, a symlink, xattrs, a rename and an unlink under /{prefix}-N; /{prefix}-done last. */
    private static void mutateSome(MasterClientServiceBlockingStub client, String prefix, int count) {
        for (int i = 0; i < count; i++) {
            MetaResult dir = mutate(client, create(1, prefix + "-" + i, FileType.DIRECTORY));
            assertThat(dir.getStatus()).as(dir.getMessage()).isZero();
            long dirInode = dir.getAttr().getInode();
            MetaResult file = mutate(client, create(dirInode, "file", FileType.REGULAR));
            assertThat(file.getStatus()).isZero();
            mutate(client, MetaOp.newBuilder().setCred(ROOT).setSetXattr(SetXattrOp.newBuilder()
                    .setInode(file.getAttr().getInode()).setName("user.n").setValue(ByteString.copyFrom("v" + i,
                            StandardCharsets.UTF_8))));
            mutate(client, MetaOp.newBuilder().setCred(ROOT).setSymlink(SymlinkOp.newBuilder().setParent(dirInode)
                    .setName("link").setTarget("file")));
            mutate(client, create(dirInode, "tmp", FileType.REGULAR));
            if (i % 2 == 0) {
                mutate(client, MetaOp.newBuilder().setCred(ROOT).setRename(RenameOp.newBuilder().setParent(dirInode)
                        .setName("tmp").setNewParent(dirInode).setNewName("renamed")));
            } else {
                mutate(client, MetaOp.newBuilder().setCred(ROOT).setUnlink(UnlinkOp.newBuilder().setParent(dirInode)
                        .setName("tmp")));
            }
        }
        assertThat(mutate(client, create(1, prefix + "-done", FileType.REGULAR)).getStatus()).isZero();
    }

    private static MetaOp.Builder create(long parent, String name, FileType type) {
        return MetaOp.newBuilder().setCred(ROOT).setCreate(CreateOp.newBuilder().setParent(parent).setName(name)
                .setType(type).setMode(type == FileType.DIRECTORY ? 0755 : 0644));
    }

    private static MetaResult mutate(MasterClientServiceBlockingStub client, MetaOp.Builder op) {
        return client.withDeadlineAfter(20, TimeUnit.SECONDS).mutate(MutateRequest.newBuilder().setOp(op).build());
    }

    private static AttrReply lookup(MasterClientServiceBlockingStub client, String name) {
        return client.withDeadlineAfter(20, TimeUnit.SECONDS).lookup(LookupRequest.newBuilder().setCred(ROOT)
                .setParent(1).setName(name).build());
    }

    /**
     * Until the metalogger's copy holds the last change of {@link #mutateSome}: mutations are made
     * one after the other, so it then holds every one acknowledged before.
     */
    private static void awaitCaughtUp(MetaloggerServer metalogger, MasterClientServiceBlockingStub client,
                                      String prefix) {
        String lastName = prefix + "-done";
        assertThat(lookup(client, lastName).getStatus()).isZero();
        await().atMost(READY).untilAsserted(() -> assertThat(metalogger.namespace().lookup(ROOT, 1, lastName)
                .getStatus()).as("%s in the copy of %s", lastName, metalogger.status()).isZero());
        MetaloggerStatus status = metalogger.status();
        assertThat(status.archivedIndex()).isEqualTo(status.appliedIndex());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
