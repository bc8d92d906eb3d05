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
import io.grpc.ManagedChannelBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.common.config.Config;
import org.mooseng.proto.ChunkReplica;
import org.mooseng.proto.ChunkReport;
import org.mooseng.proto.FileInfoRequest;
import org.mooseng.proto.FileType;
import org.mooseng.proto.HeartbeatReply;
import org.mooseng.proto.HeartbeatRequest;
import org.mooseng.proto.MasterChunkServerServiceGrpc.MasterChunkServerServiceBlockingStub;
import org.mooseng.proto.MasterClientServiceGrpc.MasterClientServiceBlockingStub;
import org.mooseng.proto.MetaOp;
import org.mooseng.proto.MutateRequest;
import org.mooseng.proto.RegisterRequest;
import org.mooseng.proto.SetGoalOp;
import org.mooseng.proto.UnlinkOp;
import org.mooseng.proto.WriteChunkRequest;

/**
 * Chunk servers report to every master of a group (fake ones here, speaking the real protocol):
 * followers keep their replica registry as current as the leader's but never order a deletion,
 * and after the leader is stopped the new leader serves every replica without any chunk server
 * registering again.
 */
class MasterGroupRegistryTest {
    private static final Duration ELECTION = Duration.ofSeconds(30);
    private static final List<String> HOSTS = List.of("127.0.0.1", "127.0.0.2", "127.0.0.3");
    private static final List<String> CHUNK_SERVERS = List.of("cs1", "cs2");

    @TempDir
    Path dir;
    private final List<MasterServer> masters = new ArrayList<>();
    private final List<ManagedChannel> channels = new ArrayList<>();

    @AfterEach
    void stop() {
        channels.forEach(TestMasters::shutdown);
        masters.forEach(MasterServer::close);
    }

    private void startGroup() throws Exception {
        long raftPort = FreePorts.pick();
        long clientPort = FreePorts.pick();
        long chunkServerPort = FreePorts.pick();
        String peers = String.join(",", HOSTS.stream().map(h -> h + ":" + raftPort).toList());
        for (int i = 0; i < HOSTS.size(); i++) {
            Config config = TestMasters.config(dir.resolve("m" + i))
                    .with(MasterConfig.LISTEN_HOST, HOSTS.get(i))
                    .with(MasterConfig.RAFT_PORT, raftPort)
                    .with(MasterConfig.CLIENT_PORT, clientPort)
                    .with(MasterConfig.CHUNKSERVER_PORT, chunkServerPort)
                    .with(MasterConfig.MASTER_PEERS, peers)
                    .with(MasterConfig.DEFAULT_GOAL, 2L)
                    // Liveness must not depend on this test's pace: only registrations and heartbeats count.
                    .with(MasterConfig.CHUNKSERVER_TIMEOUT_MS, 120_000L);
            MasterServer.format(config, "cluster-g");
            masters.add(MasterServer.start(config));
        }
    }

    private ManagedChannel channel(MasterServer master, int port) {
        ManagedChannel channel = ManagedChannelBuilder.forAddress(HOSTS.get(masters.indexOf(master)), port)
                .usePlaintext().build();
        channels.add(channel);
        return channel;
    }

    private MasterClientServiceBlockingStub client(MasterServer master) {
        return TestMasters.client(channel(master, master.clientPort()));
    }

    private MasterChunkServerServiceBlockingStub chunkServerPort(MasterServer master) {
        return TestMasters.chunkServer(channel(master, master.chunkServerPort()));
    }


    private static HeartbeatReply heartbeat(MasterChunkServerServiceBlockingStub master, String server,
                                            List<ChunkReport> changed, List<ChunkReport> deleted) {
        return master.heartbeat(HeartbeatRequest.newBuilder().setServerId(server).setTotalBytes(1L << 40)
                .setFreeBytes(1L << 30).addAllChanged(changed).addAllDeleted(deleted).build());
    }

    private static ChunkReport report(long chunkId, int version) {
        return ChunkReport.newBuilder().setChunkId(chunkId).setVersion(version).build();
    }

    private long createFile(MasterClientServiceBlockingStub client, String name, int goal) {
        long inode = client.mutate(TestMasters.create(ROOT_INODE, name, FileType.REGULAR)).getAttr().getInode();
        assertThat(client.mutate(MutateRequest.newBuilder().setOp(MetaOp.newBuilder().setCred(ROOT)
                .setSetGoal(SetGoalOp.newBuilder().setInode(inode).setGoal(goal))).build()).getStatus()).isZero();
        return inode;
    }

    @Test
    void followersKeepEveryReplicaWithoutDeletingAndTheNextLeaderKnowsThemWithoutReRegistration() throws Exception {
        startGroup();
        MasterServer first = TestMasters.awaitAnsweringLeader(masters, this::client, ELECTION);
        MasterClientServiceBlockingStub leaderClient = client(first);
        List<MasterChunkServerServiceBlockingStub> ports = masters.stream().map(this::chunkServerPort).toList();
        for (MasterChunkServerServiceBlockingStub port : ports) {
            for (String server : CHUNK_SERVERS) {
                assertThat(port.register(RegisterRequest.newBuilder().setServerId(server).setHost("127.0.0.1")
                        .setPort(20_000 + server.hashCode() % 1000).setTotalBytes(1L << 40).setFreeBytes(1L << 30)
                        .build()).getClusterId()).isEqualTo("cluster-g");
            }
        }

        // "kept" has a copy on both servers; "dropped" has one copy and its file is removed.
        long kept = createFile(leaderClient, "kept", 2);
        var keptChunk = leaderClient.writeChunk(WriteChunkRequest.newBuilder().setCred(ROOT).setInode(kept)
                .setChunkIndex(0).build()).getChunk();
        var droppedChunk = leaderClient.writeChunk(WriteChunkRequest.newBuilder().setCred(ROOT)
                .setInode(createFile(leaderClient, "dropped", 1)).setChunkIndex(0).build());
        String droppedHolder = droppedChunk.getChain(0).getServerId();
        for (MasterChunkServerServiceBlockingStub port : ports) {
            for (String server : CHUNK_SERVERS) {
                List<ChunkReport> changed = new ArrayList<>(List.of(report(keptChunk.getChunkId(),
                        keptChunk.getVersion())));
                if (server.equals(droppedHolder)) {
                    changed.add(report(droppedChunk.getChunk().getChunkId(), droppedChunk.getChunk().getVersion()));
                }
                assertThat(heartbeat(port, server, changed, List.of()).getStatus()).isZero();
            }
        }
        assertThat(leaderClient.mutate(MutateRequest.newBuilder().setOp(MetaOp.newBuilder().setCred(ROOT)
                .setUnlink(UnlinkOp.newBuilder().setParent(ROOT_INODE).setName("dropped"))).build()).getStatus())
                .isZero();

        // Every follower has applied the unlink: the orphan is as unneeded there as on the leader.
        // A third server that was away comes back holding it: its registration queues it for review everywhere.
        long commit = first.raftStatus().commitIndex();
        await().atMost(ELECTION).until(() -> masters.stream().allMatch(m -> m.raftStatus().appliedIndex() >= commit));
        ChunkReport orphan = report(droppedChunk.getChunk().getChunkId(), droppedChunk.getChunk().getVersion());
        for (MasterChunkServerServiceBlockingStub port : ports) {
            port.register(RegisterRequest.newBuilder().setServerId("cs3").setHost("127.0.0.1").setPort(20_999)
                    .setTotalBytes(1L << 40).setFreeBytes(1L << 30).addChunks(orphan).build());
        }
        for (MasterServer follower : masters.stream().filter(m -> m != first).toList()) {
            for (String server : List.of(droppedHolder, "cs3")) {
                for (int round = 0; round < 3; round++) {
                    assertThat(heartbeat(ports.get(masters.indexOf(follower)), server, List.of(), List.of())
                            .getDeleteChunksList()).as("a follower orders no deletion").isEmpty();
                }
            }
        }
        MasterChunkServerServiceBlockingStub leaderPort = ports.get(masters.indexOf(first));
        assertThat(heartbeat(leaderPort, droppedHolder, List.of(), List.of()).getDeleteChunksList())
                .as("the leader deletes the released chunk").containsExactly(orphan);
        assertThat(heartbeat(leaderPort, "cs3", List.of(), List.of()).getDeleteChunksList())
                .as("and the orphan copy of the returning server").containsExactly(orphan);
        // The holders deleted it and tell every master so.
        for (MasterChunkServerServiceBlockingStub port : ports) {
            heartbeat(port, droppedHolder, List.of(), List.of(orphan));
            heartbeat(port, "cs3", List.of(), List.of(orphan));
        }

        first.close();
        List<MasterServer> survivors = masters.stream().filter(m -> m != first).toList();
        MasterServer next = TestMasters.awaitAnsweringLeader(survivors, this::client, ELECTION);
        MasterClientServiceBlockingStub nextClient = client(next);

        // No registration since the failover: the new leader already has both copies, valid.
        await().atMost(ELECTION).until(() -> nextClient.fileInfo(FileInfoRequest.newBuilder().setInode(kept).build())
                .getStatus() == 0);
        List<ChunkReplica> replicas = nextClient.fileInfo(FileInfoRequest.newBuilder().setInode(kept).build())
                .getChunks(0).getReplicasList();
        assertThat(replicas).extracting(ChunkReplica::getServerId, ChunkReplica::getValid)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("cs1", true),
                        org.assertj.core.groups.Tuple.tuple("cs2", true));
        // Heartbeats go on being accepted (not ENOENT: nobody has to register again), and nothing is deleted.
        for (String server : CHUNK_SERVERS) {
            HeartbeatReply reply = heartbeat(ports.get(masters.indexOf(next)), server, List.of(), List.of());
            assertThat(reply.getStatus()).isZero();
            assertThat(reply.getDeleteChunksList()).isEmpty();
        }
    }
}
