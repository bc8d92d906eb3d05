package org.mooseng.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mooseng.master.TestMasters.ROOT;
import static org.mooseng.master.TestMasters.ROOT_INODE;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import io.grpc.ManagedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.common.Status;
import org.mooseng.common.config.Config;
import org.mooseng.proto.AttrReply;
import org.mooseng.proto.FileType;
import org.mooseng.proto.LookupRequest;
import org.mooseng.proto.MasterClientServiceGrpc.MasterClientServiceBlockingStub;
import org.mooseng.proto.MetaResult;

/**
 * Three masters in one JVM, each on its own loopback address (127.0.0.1-3) with the same port
 * numbers, as three machines would be.
 */
class MasterGroupTest {
    private static final Duration ELECTION = Duration.ofSeconds(30);
    private static final List<String> HOSTS = List.of("127.0.0.1", "127.0.0.2", "127.0.0.3");

    @TempDir
    Path dir;
    private final List<MasterServer> masters = new ArrayList<>();
    private final List<ManagedChannel> channels = new ArrayList<>();

    @AfterEach
    void stop() {
        channels.forEach(TestMasters::shutdown);
        masters.forEach(MasterServer::close);
    }


    private MasterClientServiceBlockingStub clientOf(MasterServer master) {
        ManagedChannel channel = io.grpc.ManagedChannelBuilder
                .forAddress(HOSTS.get(masters.indexOf(master)), master.clientPort()).usePlaintext().build();
        channels.add(channel);
        return TestMasters.client(channel);
    }


    private static AttrReply lookup(MasterClientServiceBlockingStub client, String name) {
        return client.lookup(LookupRequest.newBuilder().setCred(ROOT).setParent(ROOT_INODE).setName(name).build());
    }

    private List<Config> startGroup() throws Exception {
        long raftPort = FreePorts.pick();
        long clientPort = FreePorts.pick();
        String peers = String.join(",", HOSTS.stream().map(h -> h + ":" + raftPort).toList());
        List<Config> configs = new ArrayList<>();
        for (int i = 0; i < HOSTS.size(); i++) {
            Config config = TestMasters.config(dir.resolve("m" + i))
                    .with(MasterConfig.LISTEN_HOST, HOSTS.get(i))
                    .with(MasterConfig.RAFT_PORT, raftPort)
                    .with(MasterConfig.CLIENT_PORT, clientPort)
                    .with(MasterConfig.MASTER_PEERS, peers);
            MasterServer.format(config, "cluster-g");
            configs.add(config);
            masters.add(MasterServer.start(config));
        }
        return configs;
    }

    @Test
    void aMemberThatMissedTruncatedLogEntriesCatchesUpFromTheLeadersSnapshot() throws Exception {
        List<Config> configs = startGroup();
        MasterServer leader = TestMasters.awaitAnsweringLeader(masters, this::clientOf, ELECTION);
        MasterClientServiceBlockingStub client = clientOf(leader);
        int lagging = masters.indexOf(masters.stream().filter(m -> m != leader).findFirst().orElseThrow());
        masters.get(lagging).close();

        // jraft drops the log only up to the snapshot before the latest one, hence two rounds.
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < 10; i++) {
                String name = "d" + (round * 10 + i);
                assertThat(client.mutate(TestMasters.create(ROOT_INODE, name, FileType.DIRECTORY)).getStatus())
                        .isZero();
            }
            leader.takeSnapshot().get(20, java.util.concurrent.TimeUnit.SECONDS);
        }

        MasterServer restarted = MasterServer.start(configs.get(lagging));
        masters.set(lagging, restarted);
        await().atMost(ELECTION).until(() ->
                restarted.namespace().lookup(ROOT, ROOT_INODE, "d19").getStatus() == 0);
        // This member never snapshots by itself (interval one hour): a snapshot here was installed.
        try (var snapshots = java.nio.file.Files.list(dir.resolve("m" + lagging).resolve("raft").resolve("snapshot"))) {
            assertThat(snapshots.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("snapshot_"));
        }
        assertThat(restarted.namespace().lookup(ROOT, ROOT_INODE, "d0").getStatus()).isZero();
    }

    @Test
    void committedChangesSurviveTheLossOfTheLeaderAndFollowersPointToTheLeader() throws Exception {
        startGroup();
        long clientPort = masters.get(0).clientPort();
        MasterServer first = TestMasters.awaitAnsweringLeader(masters, this::clientOf, ELECTION);
        MasterClientServiceBlockingStub leaderClient = clientOf(first);

        MetaResult created = leaderClient.mutate(TestMasters.create(ROOT_INODE, "committed", FileType.DIRECTORY));
        assertThat(created.getStatus()).isZero();

        MasterServer follower = masters.stream().filter(m -> m != first).findFirst().orElseThrow();
        AttrReply refused = lookup(clientOf(follower), "committed");
        assertThat(refused.getStatus()).isEqualTo(Status.NOT_LEADER.code());
        assertThat(refused.getMessage()).isEqualTo(HOSTS.get(masters.indexOf(first)) + ":" + clientPort);
        assertThat(clientOf(follower).mutate(TestMasters.create(ROOT_INODE, "refused", FileType.DIRECTORY))
                .getStatus()).isEqualTo(Status.NOT_LEADER.code());

        first.close();
        List<MasterServer> survivors = masters.stream().filter(m -> m != first).toList();
        MasterClientServiceBlockingStub nextClient = clientOf(TestMasters.awaitAnsweringLeader(survivors,
                this::clientOf, ELECTION));

        AttrReply found = lookup(nextClient, "committed");
        assertThat(found.getStatus()).isZero();
        assertThat(found.getAttr().getInode()).isEqualTo(created.getAttr().getInode());
        assertThat(lookup(nextClient, "refused").getStatus()).isEqualTo(Status.ENOENT.code());
        assertThat(nextClient.mutate(TestMasters.create(ROOT_INODE, "later", FileType.DIRECTORY)).getStatus())
                .isZero();
    }
}
