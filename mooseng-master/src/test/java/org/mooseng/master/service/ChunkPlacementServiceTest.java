package org.mooseng.master.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mooseng.master.TestMasters.ROOT;
import static org.mooseng.master.TestMasters.ROOT_INODE;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import io.grpc.ManagedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.common.Status;
import org.mooseng.common.config.Config;
import org.mooseng.master.MasterConfig;
import org.mooseng.master.MasterServer;
import org.mooseng.master.TestMasters;
import org.mooseng.proto.ChunkInfo;
import org.mooseng.proto.ChunkReplica;
import org.mooseng.proto.ChunkReport;
import org.mooseng.proto.ChunkServerAddress;
import org.mooseng.proto.FileInfoRequest;
import org.mooseng.proto.FileType;
import org.mooseng.proto.GetAttrRequest;
import org.mooseng.proto.HeartbeatReply;
import org.mooseng.proto.HeartbeatRequest;
import org.mooseng.proto.MasterChunkServerServiceGrpc.MasterChunkServerServiceBlockingStub;
import org.mooseng.proto.MasterClientServiceGrpc.MasterClientServiceBlockingStub;
import org.mooseng.proto.MetaOp;
import org.mooseng.proto.MutateRequest;
import org.mooseng.proto.ReadChunkReply;
import org.mooseng.proto.ReadChunkRequest;
import org.mooseng.proto.RegisterReply;
import org.mooseng.proto.RegisterRequest;
import org.mooseng.proto.SetAttrOp;
import org.mooseng.proto.SetAttrReply;
import org.mooseng.proto.SetAttrRequest;
import org.mooseng.proto.SetGoalOp;
import org.mooseng.proto.UnlinkOp;
import org.mooseng.proto.WriteChunkEndRequest;
import org.mooseng.proto.WriteChunkReply;
import org.mooseng.proto.WriteChunkRequest;

/** Chunk placement and replica housekeeping, against fake chunk servers speaking the real protocol. */
class ChunkPlacementServiceTest {
    private static final long FOREIGN_CHUNK_ID = 1L << 40;

    @TempDir
    Path dir;
    private Config config;
    private MasterServer master;
    private ManagedChannel clientChannel;
    private ManagedChannel chunkChannel;
    private MasterClientServiceBlockingStub client;
    private MasterChunkServerServiceBlockingStub chunkServers;

    @BeforeEach
    void start() throws Exception {
        config = TestMasters.config(dir.resolve("m")).with(MasterConfig.DEFAULT_GOAL, 2L);
        MasterServer.format(config, "cluster-a");
        startMaster();
    }

    private void startMaster() throws Exception {
        master = MasterServer.start(config);
        clientChannel = TestMasters.channel(master.clientPort());
        chunkChannel = TestMasters.channel(master.chunkServerPort());
        client = TestMasters.client(clientChannel);
        chunkServers = TestMasters.chunkServer(chunkChannel);
        await().atMost(Duration.ofSeconds(20)).until(() -> master.isLeader()
                && client.getAttr(GetAttrRequest.newBuilder().setInode(ROOT_INODE).build()).getStatus() == 0);
    }

    @AfterEach
    void stop() {
        TestMasters.shutdown(clientChannel);
        TestMasters.shutdown(chunkChannel);
        master.close();
    }

    private RegisterReply register(String id, long freeBytes, ChunkReport... chunks) {
        return register(id, "127.0.0.1", freeBytes, chunks);
    }

    private RegisterReply register(String id, String host, long freeBytes, ChunkReport... chunks) {
        return chunkServers.register(RegisterRequest.newBuilder().setServerId(id).setHost(host)
                .setPort(20000 + id.hashCode() % 1000).setTotalBytes(1L << 40).setFreeBytes(freeBytes)
                .addAllChunks(List.of(chunks)).build());
    }

    private HeartbeatReply heartbeat(String id) {
        return heartbeat(HeartbeatRequest.newBuilder().setServerId(id));
    }

    private HeartbeatReply heartbeat(HeartbeatRequest.Builder request) {
        return chunkServers.heartbeat(request.setTotalBytes(1L << 40).setFreeBytes(1L << 30).build());
    }

    private static ChunkReport report(long chunkId, int version) {
        return ChunkReport.newBuilder().setChunkId(chunkId).setVersion(version).build();
    }

    private List<String> holders(long inode) {
        return client.fileInfo(FileInfoRequest.newBuilder().setInode(inode).build()).getChunks(0).getReplicasList()
                .stream().map(ChunkReplica::getServerId).toList();
    }

    private static List<Long> deletedIds(HeartbeatReply reply) {
        return reply.getDeleteChunksList().stream().map(ChunkReport::getChunkId).toList();
    }

    private long createFileWithGoal(String name, int goal) {
        long inode = client.mutate(TestMasters.create(ROOT_INODE, name, FileType.REGULAR)).getAttr().getInode();
        assertThat(client.mutate(MutateRequest.newBuilder().setOp(MetaOp.newBuilder().setCred(ROOT)
                .setSetGoal(SetGoalOp.newBuilder().setInode(inode).setGoal(goal))).build()).getStatus()).isZero();
        return inode;
    }

    private WriteChunkReply write(long inode, long index, String... excluded) {
        return client.writeChunk(WriteChunkRequest.newBuilder().setCred(ROOT).setInode(inode).setChunkIndex(index)
                .addAllExcludeServers(List.of(excluded)).build());
    }

    private static List<String> ids(List<ChunkServerAddress> chain) {
        return chain.stream().map(ChunkServerAddress::getServerId).toList();
    }

    @Test
    void registrationHandsOutTheClusterId() {
        RegisterReply reply = register("cs1", 100);
        assertThat(reply.getStatus()).isZero();
        assertThat(reply.getClusterId()).isEqualTo("cluster-a");
    }

    @Test
    void newChunkGetsGoalDistinctServersWithMostFreeSpaceFirstAndHonoursExclusions() {
        register("cs1", 100);
        register("cs2", 300);
        register("cs3", 200);
        long inode = createFileWithGoal("f", 2);

        WriteChunkReply first = write(inode, 0);
        assertThat(first.getStatus()).isZero();
        assertThat(first.getChunk().getPreviousVersion()).isZero();
        assertThat(ids(first.getChainList())).containsExactly("cs2", "cs3");

        WriteChunkReply excluded = write(inode, 1, "cs2");
        assertThat(ids(excluded.getChainList())).containsExactly("cs3", "cs1");

        long threeCopies = createFileWithGoal("g", 3);
        assertThat(ids(write(threeCopies, 0).getChainList())).containsExactlyInAnyOrder("cs1", "cs2", "cs3");
    }

    @Test
    void rewriteGoesToHoldersOfThePreviousVersionAndStaleCopiesAreNeitherReadNorKept() {
        register("cs1", 100);
        register("cs2", 300);
        register("cs3", 200);
        long inode = createFileWithGoal("f", 2);
        WriteChunkReply first = write(inode, 0);
        long chunkId = first.getChunk().getChunkId();

        WriteChunkReply second = write(inode, 0, "cs3");
        assertThat(second.getStatus()).isZero();
        assertThat(second.getChunk().getChunkId()).isEqualTo(chunkId);
        assertThat(Integer.compareUnsigned(second.getChunk().getVersion(), first.getChunk().getVersion())).isPositive();
        // Still the new chunk's lease: cs2 may not have received a frame of the first version yet.
        assertThat(second.getChunk().getPreviousVersion()).isZero();
        assertThat(ids(second.getChainList())).containsExactly("cs2");

        ReadChunkReply read = client.readChunk(ReadChunkRequest.newBuilder().setCred(ROOT).setInode(inode)
                .setChunkIndex(0).build());
        assertThat(read.getStatus()).isZero();
        assertThat(ids(read.getReplicasList())).containsExactly("cs2");

        ChunkInfo info = client.fileInfo(FileInfoRequest.newBuilder().setInode(inode).build()).getChunks(0);
        assertThat(info.getReplicasList()).extracting(ChunkReplica::getServerId, ChunkReplica::getValid)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("cs2", true),
                        org.assertj.core.groups.Tuple.tuple("cs3", false));

        assertThat(deletedIds(heartbeat("cs3"))).containsExactly(chunkId);
        assertThat(deletedIds(heartbeat("cs2"))).isEmpty();
    }

    @Test
    void writersOfOneChunkShareItsLeaseUntilTheChainMustChange() {
        register("cs1", 100);
        register("cs2", 300);
        register("cs3", 200);
        long inode = createFileWithGoal("f", 2);
        WriteChunkReply first = write(inode, 0);
        WriteChunkReply second = write(inode, 0);
        assertThat(second.getStatus()).isZero();
        assertThat(second.getChunk()).isEqualTo(first.getChunk());
        assertThat(ids(second.getChainList())).isEqualTo(ids(first.getChainList())).containsExactly("cs2", "cs3");

        // A server outside the chain excluded: the lease still serves.
        assertThat(write(inode, 0, "cs1").getChunk()).isEqualTo(first.getChunk());

        // A chain member excluded: the version rises on the survivor, the base stays the lease's.
        WriteChunkReply failedOver = write(inode, 0, "cs3");
        assertThat(Integer.compareUnsigned(failedOver.getChunk().getVersion(), first.getChunk().getVersion()))
                .isPositive();
        assertThat(failedOver.getChunk().getPreviousVersion()).isEqualTo(first.getChunk().getPreviousVersion());
        assertThat(ids(failedOver.getChainList())).containsExactly("cs2");
        // Later writers join the new lease.
        assertThat(write(inode, 0).getChunk()).isEqualTo(failedOver.getChunk());
        assertThat(client.readChunk(ReadChunkRequest.newBuilder().setCred(ROOT).setInode(inode).setChunkIndex(0)
                .build()).getChunk().getVersion()).isEqualTo(failedOver.getChunk().getVersion());
    }

    @Test
    void concurrentFirstWritesOfAChunkGetOneChunkAndOneLease() throws Exception {
        register("cs1", 100);
        register("cs2", 300);
        long inode = createFileWithGoal("f", 2);
        var stub = TestMasters.client(clientChannel).withDeadlineAfter(30, java.util.concurrent.TimeUnit.SECONDS);
        List<java.util.concurrent.CompletableFuture<WriteChunkReply>> replies = new java.util.ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < 16; i++) {
                replies.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> stub.writeChunk(
                        WriteChunkRequest.newBuilder().setCred(ROOT).setInode(inode).setChunkIndex(3).build()), pool));
            }
        }
        List<WriteChunkReply> done = replies.stream().map(java.util.concurrent.CompletableFuture::join).toList();
        assertThat(done).allSatisfy(r -> assertThat(r.getStatus()).isZero());
        assertThat(done.stream().map(WriteChunkReply::getChunk).distinct()).hasSize(1);
        assertThat(done.getFirst().getChunk().getPreviousVersion()).isZero();
        assertThat(client.fileInfo(FileInfoRequest.newBuilder().setInode(inode).build()).getChunksCount()).isEqualTo(1);
    }

    @Test
    void writeWithNoServerLeftIsRetryableWhileTheMasterIsNewThenEioAndNeverBumpsTheVersion() throws Exception {
        // A short server timeout, so that the time in which a new master may not have heard from
        // every live chunk server ends within the test.
        stop();
        config = config.with(MasterConfig.CHUNKSERVER_TIMEOUT_MS, 3_000L);
        startMaster();
        register("cs1", 100);
        long inode = createFileWithGoal("f", 1);
        WriteChunkReply first = write(inode, 0);
        assertThat(ids(first.getChainList())).containsExactly("cs1");

        WriteChunkReply early = write(inode, 0, "cs1");
        assertThat(early.getStatus()).isEqualTo(Status.NOT_READY.code());
        assertThat(early.getMessage()).contains("no alive chunk server", "chunk servers are still registering");
        ReadChunkReply unreadable = client.readChunk(ReadChunkRequest.newBuilder().setCred(ROOT).setInode(
                createFileWithChunkOnlyOn("g", "cs-gone")).setChunkIndex(0).build());
        assertThat(unreadable.getStatus()).isEqualTo(Status.NOT_READY.code());

        // Once a server timeout has passed since the start, no server holding it is a final answer.
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            heartbeat("cs1");
            return write(inode, 0, "cs1").getStatus() != Status.NOT_READY.code();
        });
        WriteChunkReply refused = write(inode, 0, "cs1");
        assertThat(refused.getStatus()).isEqualTo(Status.EIO.code());
        assertThat(refused.getMessage()).startsWith("chunk ").contains("no alive chunk server")
                .doesNotContain("registering");
        ReadChunkReply read = client.readChunk(ReadChunkRequest.newBuilder().setCred(ROOT).setInode(inode)
                .setChunkIndex(0).build());
        assertThat(read.getChunk().getVersion()).isEqualTo(first.getChunk().getVersion());
        assertThat(ids(read.getReplicasList())).containsExactly("cs1");
    }

    @Test
    void aNewChunksLeaseLostWithTheMasterBeforeAnyFrameIsGrantedAgainOnItsChain() throws Exception {
        stop();
        config = config.with(MasterConfig.CHUNKSERVER_TIMEOUT_MS, 3_000L);
        startMaster();
        register("cs1", 100);
        register("cs2", 300);
        register("cs3", 200);
        long inode = createFileWithGoal("f", 2);
        WriteChunkReply first = write(inode, 0);
        assertThat(ids(first.getChainList())).containsExactly("cs2", "cs3");

        // The master restarts before the writer's first frame: no chunk server holds a copy.
        stop();
        startMaster();
        register("cs1", 900);
        register("cs2", 100);
        register("cs3", 100);
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            List.of("cs1", "cs2", "cs3").forEach(this::heartbeat);
            return write(inode, 0, "cs3").getStatus() != Status.NOT_READY.code();
        });
        // Not on a chain without an excluded member: that one may be where the frames went.
        assertThat(write(inode, 0, "cs3").getStatus()).isEqualTo(Status.EIO.code());

        WriteChunkReply again = write(inode, 0);
        assertThat(again.getStatus()).isZero();
        assertThat(again.getChunk().getChunkId()).isEqualTo(first.getChunk().getChunkId());
        assertThat(again.getChunk().getVersion()).isEqualTo(first.getChunk().getVersion());
        assertThat(again.getChunk().getPreviousVersion()).isZero();
        assertThat(ids(again.getChainList())).containsExactly("cs2", "cs3");
        assertThat(ids(write(inode, 0).getChainList())).containsExactly("cs2", "cs3");

        // Once the file's length reaches into the chunk, copies missing everywhere are data lost.
        assertThat(client.writeChunkEnd(WriteChunkEndRequest.newBuilder().setCred(ROOT).setInode(inode)
                .setChunkId(again.getChunk().getChunkId()).setNewSize(1000).build()).getStatus()).isZero();
        register("cs2", 100);
        register("cs3", 100);
        WriteChunkReply lost = write(inode, 0);
        assertThat(lost.getStatus()).isEqualTo(Status.EIO.code());
        assertThat(lost.getMessage()).contains("no alive chunk server holds this version");
    }

    /** A file whose one chunk was written on {@code server}, which then registers again without it. */
    private long createFileWithChunkOnlyOn(String name, String server) {
        register(server, 1L << 40);
        long inode = createFileWithGoal(name, 1);
        assertThat(ids(write(inode, 0).getChainList())).containsExactly(server);
        assertThat(register(server, 1L << 40).getStatus()).isZero();
        return inode;
    }

    @Test
    void releasedAndOrphanChunksAreDeletedButNeverIdsThisClusterDidNotAllocate() {
        register("cs1", 100);
        register("cs2", 300);
        long inode = createFileWithGoal("f", 2);
        long released = write(inode, 0).getChunk().getChunkId();
        long orphan = write(createFileWithGoal("g", 1), 0).getChunk().getChunkId();
        assertThat(client.mutate(MutateRequest.newBuilder().setOp(MetaOp.newBuilder().setCred(ROOT)
                .setUnlink(UnlinkOp.newBuilder().setParent(ROOT_INODE).setName("f"))).build()).getStatus()).isZero();
        assertThat(client.mutate(MutateRequest.newBuilder().setOp(MetaOp.newBuilder().setCred(ROOT)
                .setUnlink(UnlinkOp.newBuilder().setParent(ROOT_INODE).setName("g"))).build()).getStatus()).isZero();

        // The leader's purge deletes the unnamed file (no session has it open) within moments.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> master.sessionState().retainedInodes().isEmpty());
        assertThat(deletedIds(heartbeat("cs1"))).contains(released);
        assertThat(deletedIds(heartbeat("cs2"))).contains(released);

        // A server that was away while "g" was removed comes back with it and with a stranger's chunk.
        register("cs9", 50, ChunkReport.newBuilder().setChunkId(orphan).setVersion(1).build(),
                ChunkReport.newBuilder().setChunkId(FOREIGN_CHUNK_ID).setVersion(1).build());
        List<Long> deleted = deletedIds(heartbeat("cs9"));
        assertThat(deleted).contains(orphan).doesNotContain(FOREIGN_CHUNK_ID);
        assertThat(deletedIds(heartbeat("cs9"))).isEmpty();
    }

    @Test
    void readsListTheReplicaOnTheCallersHostFirst() {
        register("remote", "192.0.2.7", 900);
        register("local", "127.0.0.1", 100);
        long inode = createFileWithGoal("f", 2);
        assertThat(ids(write(inode, 0).getChainList())).containsExactly("remote", "local");

        ReadChunkReply read = client.readChunk(ReadChunkRequest.newBuilder().setCred(ROOT).setInode(inode)
                .setChunkIndex(0).build());
        assertThat(ids(read.getReplicasList())).containsExactly("local", "remote");
    }

    @Test
    void heartbeatFromAnUnknownServerAsksItToRegister() {
        HeartbeatReply reply = heartbeat("stranger");
        assertThat(reply.getStatus()).isEqualTo(Status.ENOENT.code());
        assertThat(reply.getMessage()).startsWith("chunk server stranger:");
    }

    @Test
    void freshlyStartedMasterJudgesReportedVersionsAgainstItsStore() throws Exception {
        register("cs1", 100);
        long inode = createFileWithGoal("f", 1);
        WriteChunkReply first = write(inode, 0);
        assertThat(client.writeChunkEnd(WriteChunkEndRequest.newBuilder().setCred(ROOT).setInode(inode)
                .setChunkId(first.getChunk().getChunkId()).setNewSize(1000).build()).getStatus()).isZero();
        // A truncation inside the chunk raises its version (writers would share the first's lease).
        SetAttrReply cut = client.setAttr(SetAttrRequest.newBuilder().setCred(ROOT).setOp(SetAttrOp.newBuilder()
                .setInode(inode).setValid(SetAttrOp.Field.SET_SIZE_VALUE).setSize(10)).build());
        assertThat(cut.getStatus()).isZero();
        long chunkId = cut.getTruncatedChunk().getChunkId();
        int current = cut.getTruncatedChunk().getVersion();
        assertThat(chunkId).isEqualTo(first.getChunk().getChunkId());
        assertThat(current).isGreaterThan(first.getChunk().getVersion());

        TestMasters.shutdown(clientChannel);
        TestMasters.shutdown(chunkChannel);
        master.close();
        startMaster();

        register("old", "127.0.0.1", 100, report(chunkId, first.getChunk().getVersion()));
        register("new", "127.0.0.1", 100, report(chunkId, current));
        ChunkInfo info = client.fileInfo(FileInfoRequest.newBuilder().setInode(inode).build()).getChunks(0);
        assertThat(info.getReplicasList()).extracting(ChunkReplica::getServerId, ChunkReplica::getValid)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("old", false),
                        org.assertj.core.groups.Tuple.tuple("new", true));
        ReadChunkReply read = client.readChunk(ReadChunkRequest.newBuilder().setCred(ROOT).setInode(inode)
                .setChunkIndex(0).build());
        assertThat(read.getStatus()).isZero();
        assertThat(ids(read.getReplicasList())).containsExactly("new");
        assertThat(deletedIds(heartbeat("new"))).isEmpty();
        assertThat(deletedIds(heartbeat("old"))).containsExactly(chunkId);
    }

    @Test
    void replicasReportedDeletedOrLostLeaveTheRegistry() {
        register("cs1", 100);
        register("cs2", 300);
        long inode = createFileWithGoal("f", 2);
        WriteChunkReply written = write(inode, 0);
        long chunkId = written.getChunk().getChunkId();
        int version = written.getChunk().getVersion();
        assertThat(holders(inode)).containsExactlyInAnyOrder("cs1", "cs2");

        assertThat(heartbeat(HeartbeatRequest.newBuilder().setServerId("cs1")
                .addDeleted(report(chunkId, version))).getStatus()).isZero();
        assertThat(holders(inode)).containsExactly("cs2");

        assertThat(heartbeat(HeartbeatRequest.newBuilder().setServerId("cs2")
                .addLost(report(chunkId, version))).getStatus()).isZero();
        assertThat(holders(inode)).isEmpty();
    }
}
