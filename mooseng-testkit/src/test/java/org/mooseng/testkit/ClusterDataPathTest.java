package org.mooseng.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.chunkserver.store.ChunkStore;
import org.mooseng.client.ClientOptions;
import org.mooseng.client.FileLayout;
import org.mooseng.client.MoosengClient;
import org.mooseng.client.MoosengException;
import org.mooseng.client.MoosengFile;
import org.mooseng.client.OpenFlag;
import org.mooseng.common.ChunkId;
import org.mooseng.common.ChunkVersion;
import org.mooseng.common.Layout;
import org.mooseng.common.Status;
import org.mooseng.proto.AttrReply;
import org.mooseng.proto.ClusterInfoRequest;
import org.mooseng.proto.Credentials;
import org.mooseng.proto.FileOpenOp;
import org.mooseng.proto.MasterClientServiceGrpc;
import org.mooseng.proto.OpenFileRequest;
import org.mooseng.proto.OpenSessionRequest;
import org.mooseng.proto.ReadChunkReply;
import org.mooseng.proto.ReadChunkRequest;
import org.mooseng.proto.SessionRequest;
import org.mooseng.proto.SetAttrOp;
import org.mooseng.proto.SetAttrReply;
import org.mooseng.proto.SetAttrRequest;
import org.mooseng.proto.WriteChunkReply;
import org.mooseng.proto.WriteChunkRequest;
import org.mooseng.protocol.rpc.FramedChannel;

/** End to end through real RPC on loopback: one master, three chunk servers, two copies. */
class ClusterDataPathTest {
    @TempDir
    static Path root;
    static MiniCluster cluster;
    static MoosengClient client;

    @BeforeAll
    static void startCluster() throws IOException {
        cluster = MiniCluster.start(root, 3);
        client = cluster.newClient();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void fileSpanningTwoChunksReadsBackExactlyWithTwoReplicasOnDistinctServers() throws IOException {
        byte[] data = random(Layout.CHUNK_SIZE_BYTES + 3_000_001, 1);
        write("/two-chunks", data);

        assertThat(readAll("/two-chunks")).isEqualTo(data);
        FileLayout layout = client.fileInfo("/two-chunks");
        assertThat(layout.chunks()).hasSize(2);
        for (FileLayout.Chunk chunk : layout.chunks()) {
            List<String> valid = chunk.replicas().stream().filter(FileLayout.Replica::valid)
                    .map(FileLayout.Replica::serverId).toList();
            assertThat(valid).hasSize(2).doesNotHaveDuplicates();
        }
    }

    @Test
    void anOpenForReadingAnswersWhereTheFirstChunkIsAsReadChunkDoes() throws IOException {
        write("/located-at-open", random(100_000, 7));
        write("/empty-at-open", new byte[0]);
        long inode = client.stat("/located-at-open").inode().value();
        long empty = client.stat("/empty-at-open").inode().value();
        long session = rawMaster(m -> m.openSession(OpenSessionRequest.newBuilder().setHost("test")
                .setMountPoint("/raw").setRequestId(ByteString.copyFromUtf8("raw-session")).build()))
                .getSession().getSessionId();
        try {
            AttrReply opened = rawMaster(m -> m.openFile(openForReading(session, inode, true)));
            ReadChunkReply asked = rawMaster(m -> m.readChunk(ReadChunkRequest.newBuilder().setCred(ROOT)
                    .setInode(inode).setChunkIndex(0).build()));

            assertThat(opened.getStatus()).isZero();
            assertThat(opened.hasFirstChunk()).isTrue();
            assertThat(opened.getFirstChunk().getChunk()).isEqualTo(asked.getChunk());
            assertThat(opened.getFirstChunk().getReplicasList()).hasSize(2)
                    .containsExactlyInAnyOrderElementsOf(asked.getReplicasList());
            assertThat(opened.getFirstChunk().getFileSize()).isEqualTo(100_000);
            assertThat(rawMaster(m -> m.openFile(openForReading(session, inode, false))).hasFirstChunk()).isFalse();
            assertThat(rawMaster(m -> m.openFile(openForReading(session, empty, true))).hasFirstChunk()).isFalse();
        } finally {
            rawMaster(m -> m.closeSession(SessionRequest.newBuilder().setSessionId(session).build()));
        }
        assertThat(readAll("/located-at-open")).isEqualTo(random(100_000, 7));
    }

    private static OpenFileRequest openForReading(long session, long inode, boolean withFirstChunk) {
        return OpenFileRequest.newBuilder().setCred(ROOT).setSessionId(session).setInode(inode)
                .setFlags(FileOpenOp.Flag.OPEN_READ_VALUE).setWithFirstChunk(withFirstChunk).build();
    }

    @Test
    void twoClientsWritingOneChunkAtOnceShareItsLeaseAndLeaveEqualReplicas() throws Exception {
        int stripe = 256 * 1024;
        int stripes = 48;
        try (MoosengFile created = client.create("/shared-chunk", 0644, true)) {
            created.write(0, ByteBuffer.wrap(new byte[stripe * stripes]));
        }
        byte[][] patterns = {random(stripe, 31), random(stripe, 32)};
        try (MoosengClient second = cluster.newClient()) {
            List<MoosengClient> writers = List.of(client, second);
            List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            try (var pool = java.util.concurrent.Executors.newFixedThreadPool(2)) {
                for (int w = 0; w < 2; w++) {
                    int writer = w;
                    done.add(pool.submit(() -> {
                        try (MoosengFile f = writers.get(writer).open("/shared-chunk", OpenFlag.READ, OpenFlag.WRITE)) {
                            // Each writer owns every other stripe, writes them all three times
                            // in its own order, and syncs in between: many leases asked for at once.
                            Random order = new Random(writer);
                            for (int round = 0; round < 3; round++) {
                                List<Integer> mine = new java.util.ArrayList<>();
                                for (int i = writer; i < stripes; i += 2) {
                                    mine.add(i);
                                }
                                java.util.Collections.shuffle(mine, order);
                                for (int i : mine) {
                                    f.write((long) i * stripe, ByteBuffer.wrap(patterns[writer]));
                                }
                                f.fsync();
                            }
                        }
                        return null;
                    }));
                }
            }
            for (java.util.concurrent.Future<?> f : done) {
                f.get(); // a write failure surfaces here
            }
        }
        byte[] content = readAll("/shared-chunk");
        for (int i = 0; i < stripes; i++) {
            assertThat(Arrays.copyOfRange(content, i * stripe, (i + 1) * stripe)).as("stripe %d", i)
                    .isEqualTo(patterns[i % 2]);
        }
        FileLayout.Chunk chunk = client.fileInfo("/shared-chunk").chunks().getFirst();
        List<FileLayout.Replica> valid = chunk.replicas().stream().filter(FileLayout.Replica::valid).toList();
        assertThat(valid).hasSize(2);
        for (FileLayout.Replica replica : valid) {
            ChunkStore store = storeOf(replica.serverId());
            assertThat(store.read(new ChunkId(chunk.chunkId()), new ChunkVersion(chunk.version()), 0, content.length))
                    .as("replica on %s", replica.serverId()).isEqualTo(content);
        }
    }

    private static ChunkStore storeOf(String serverId) {
        for (int i = 0; i < cluster.chunkServerCount(); i++) {
            if (cluster.chunkServer(i) != null && cluster.chunkServer(i).serverId().equals(serverId)) {
                return cluster.chunkServer(i).store();
            }
        }
        throw new AssertionError("no chunk server " + serverId);
    }

    @Test
    void writesAtOffsetsLeaveHolesOfZerosAndAppendGrowsTheFile() throws IOException {
        try (MoosengFile file = client.create("/sparse", 0644, true)) {
            file.write(1_000_000, ByteBuffer.wrap("tail".getBytes()));
            file.write(10, ByteBuffer.wrap("head".getBytes()));
            file.append(ByteBuffer.wrap("!".getBytes()));
        }
        byte[] content = readAll("/sparse");
        assertThat(content).hasSize(1_000_005);
        assertThat(new String(content, 10, 4)).isEqualTo("head");
        assertThat(new String(content, 1_000_000, 5)).isEqualTo("tail!");
        assertThat(Arrays.copyOfRange(content, 14, 1_000_000)).containsOnly(0);
    }

    @Test
    void truncateShrinksAndRegrowingReadsZerosNotOldBytes() throws IOException {
        byte[] data = random(300_000, 2);
        write("/truncated", data);
        client.truncate("/truncated", 1000);
        client.truncate("/truncated", 5000);

        byte[] content = readAll("/truncated");
        assertThat(content).hasSize(5000);
        assertThat(Arrays.copyOf(content, 1000)).isEqualTo(Arrays.copyOf(data, 1000));
        assertThat(Arrays.copyOfRange(content, 1000, 5000)).containsOnly(0);
    }

    @Test
    void readSurvivesTheDeathOfAReplicaHolder() throws IOException {
        byte[] data = random(5_000_000, 3);
        write("/survivor", data);
        int holder = holderIndex("/survivor");
        cluster.stopChunkServer(holder);
        try {
            assertThat(readAll("/survivor")).isEqualTo(data);
        } finally {
            cluster.startChunkServer(holder);
            cluster.awaitChunkServers(3, Duration.ofSeconds(20));
        }
    }

    @Test
    void writeCompletesWhenAServerOfItsChainIsDownAndTheStaleCopyIsNeverServed() throws IOException {
        byte[] first = random(2_000_000, 4);
        write("/rewritten", first);
        int holder = holderIndex("/rewritten");
        cluster.stopChunkServer(holder);
        byte[] second = random(2_000_000, 5);
        try {
            write("/rewritten", second);
        } finally {
            cluster.startChunkServer(holder);
            cluster.awaitChunkServers(3, Duration.ofSeconds(20));
        }
        // the restarted server still has the first version: it must never be read from
        String restartedId = cluster.chunkServer(holder).serverId();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            FileLayout layout = client.fileInfo("/rewritten");
            assertThat(layout.chunks().getFirst().replicas())
                    .filteredOn(r -> r.serverId().equals(restartedId))
                    .allSatisfy(r -> assertThat(r.valid()).isFalse());
        });
        for (int i = 0; i < 3; i++) {
            assertThat(readAll("/rewritten")).isEqualTo(second);
        }
    }

    @Test
    void flippedByteInOneReplicaIsDetectedAndTheReadServedFromTheOther() throws IOException {
        byte[] data = random(1_000_000, 6);
        write("/flipped", data);
        FileLayout.Chunk chunk = client.fileInfo("/flipped").chunks().getFirst();
        String serverId = chunk.replicas().getFirst().serverId();
        Path chunkFile = chunkFileOn(serverIndex(serverId), chunk.chunkId());
        try (FileChannel ch = FileChannel.open(chunkFile, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long position = ch.size() - 500_000;
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, position);
            one.put(0, (byte) (one.get(0) ^ 0x5A)).rewind();
            ch.write(one, position);
        }

        for (int i = 0; i < 4; i++) {
            assertThat(readAll("/flipped")).isEqualTo(data);
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(client.fileInfo("/flipped").chunks().getFirst().replicas())
                        .filteredOn(r -> r.serverId().equals(serverId))
                        .noneMatch(FileLayout.Replica::valid));
    }

    @Test
    void namespaceAndDataSurviveAMasterRestart() throws IOException {
        client.mkdirs("/keep/a/b", 0755);
        byte[] data = random(700_000, 7);
        write("/keep/a/b/file", data);
        client.symlink("/keep/a/b/file", "/keep/link");

        cluster.restartMaster();
        cluster.awaitChunkServers(3, Duration.ofSeconds(30));

        try (MoosengClient fresh = cluster.newClient()) {
            assertThat(fresh.readlink("/keep/link")).isEqualTo("/keep/a/b/file");
            assertThat(fresh.stat("/keep/a/b/file").sizeBytes()).isEqualTo(700_000);
            try (MoosengFile file = fresh.open("/keep/link", OpenFlag.READ)) {
                ByteBuffer buf = ByteBuffer.allocate(data.length);
                while (buf.hasRemaining() && file.read(buf.position(), buf) > 0) {
                    // keep reading
                }
                assertThat(buf.array()).isEqualTo(data);
            }
        }
    }

    @Test
    void aVersionRaisedForAWriterThatNeverWroteLeavesTheChunkReadableAndIsCompletedInPlace() throws Exception {
        byte[] data = random(300_000, 11);
        write("/raised-unwritten", data);
        FileLayout.Chunk before = client.fileInfo("/raised-unwritten").chunks().getFirst();
        // A new master holds no lease, so the next grant raises the version (on both holders).
        cluster.restartMaster();
        cluster.awaitChunkServers(3, Duration.ofSeconds(30));

        // A writer takes the lease and dies before its first frame: the namespace is one version
        // ahead of every copy, and no byte changed anywhere.
        long inode = client.stat("/raised-unwritten").inode().value();
        WriteChunkReply lease = rawMaster(m -> m.writeChunk(WriteChunkRequest.newBuilder().setCred(ROOT)
                .setInode(inode).setChunkIndex(0).build()));
        assertThat(lease.getStatus()).as(lease.getMessage()).isZero();
        assertThat(lease.getChunk().getVersion()).isEqualTo(before.version() + 1);
        assertThat(lease.getChainCount()).isEqualTo(2);

        assertThat(readWithFreshClient("/raised-unwritten")).as("read on the leader that granted it").isEqualTo(data);

        // A leader that never saw the grant: the copies register one version behind the namespace.
        cluster.restartMaster();
        cluster.awaitChunkServers(3, Duration.ofSeconds(30));
        assertThat(readWithFreshClient("/raised-unwritten")).as("read on a new leader").isEqualTo(data);
        // The leader orders the copies up to the version in place.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(client.fileInfo("/raised-unwritten").chunks().getFirst().replicas())
                        .extracting(FileLayout.Replica::version, FileLayout.Replica::valid)
                        .containsExactly(tuple(before.version() + 1, true), tuple(before.version() + 1, true)));

        // And the chunk takes writes again.
        try (MoosengFile file = client.open("/raised-unwritten", OpenFlag.WRITE)) {
            file.write(data.length, ByteBuffer.wrap(new byte[] {7, 7, 7}));
        }
        byte[] grown = Arrays.copyOf(data, data.length + 3);
        grown[data.length] = grown[data.length + 1] = grown[data.length + 2] = 7;
        assertThat(readWithFreshClient("/raised-unwritten")).isEqualTo(grown);
    }

    @Test
    void aTruncationWhoseCutNeverReachedTheCopiesIsCompletedByTheNextLeader() throws Exception {
        byte[] data = random(300_000, 12);
        write("/cut-unsent", data);
        FileLayout.Chunk before = client.fileInfo("/cut-unsent").chunks().getFirst();
        long inode = client.stat("/cut-unsent").inode().value();

        // The truncation commits; its client dies before sending the cut to the chunk servers.
        SetAttrReply cut = rawMaster(m -> m.setAttr(SetAttrRequest.newBuilder().setCred(ROOT)
                .setOp(SetAttrOp.newBuilder().setInode(inode).setSize(1_000).setValid(SetAttrOp.Field.SET_SIZE_VALUE))
                .build()));
        assertThat(cut.getStatus()).as(cut.getMessage()).isZero();
        assertThat(cut.getTruncatedChunk().getVersion()).isEqualTo(before.version() + 1);

        cluster.restartMaster();
        cluster.awaitChunkServers(3, Duration.ofSeconds(30));
        // The new leader cuts both copies and raises them; then the file grows again with zeros.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(client.fileInfo("/cut-unsent").chunks().getFirst().replicas())
                        .extracting(FileLayout.Replica::version, FileLayout.Replica::valid)
                        .containsExactly(tuple(before.version() + 1, true), tuple(before.version() + 1, true)));
        client.truncate("/cut-unsent", 300_000);
        byte[] expected = new byte[300_000];
        System.arraycopy(data, 0, expected, 0, 1_000);
        assertThat(readWithFreshClient("/cut-unsent")).isEqualTo(expected);
    }

    @Test
    void chunksOfAnUnlinkedFileAreDeletedFromTheChunkServers() throws IOException {
        write("/doomed", random(100_000, 8));
        long chunkId = client.fileInfo("/doomed").chunks().getFirst().chunkId();
        assertThat(chunkFilesNamed(chunkId)).hasSize(2);

        client.unlink("/doomed");

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(chunkFilesNamed(chunkId)).isEmpty());
    }

    @Test
    void clientOfAnotherClusterIsRefused() {
        assertThatThrownBy(() -> cluster.newClient(ClientOptions.builder().expectedClusterId("another-cluster")))
                .isInstanceOf(MoosengException.class)
                .satisfies(e -> assertThat(((MoosengException) e).status()).isEqualTo(Status.WRONG_CLUSTER));
    }

    @Test
    void clientsTalkToTheMasterOverFramedRpcWhichChecksTheClusterIdToo() throws Exception {
        long before = cluster.master().clientRpcCalls();
        try (MoosengClient fresh = cluster.newClient()) {
            fresh.mkdirs("/framed/a/b", 0755);
            assertThat(fresh.stat("/framed/a/b").isDirectory()).isTrue();
        }
        // mkdirs looks up and creates each component: all of it, not just the first call, was framed.
        assertThat(cluster.master().clientRpcCalls() - before).isGreaterThanOrEqualTo(6);

        int port = rawMaster(m -> m.clusterInfo(ClusterInfoRequest.getDefaultInstance())).getClientRpcPort();
        assertThat(port).isEqualTo(cluster.master().clientRpcPort());
        Metadata otherCluster = new Metadata();
        otherCluster.put(Metadata.Key.of(Layout.CLUSTER_ID_HEADER, Metadata.ASCII_STRING_MARSHALLER), "another-cluster");
        try (FramedChannel channel = new FramedChannel("127.0.0.1", port)) {
            MasterClientServiceGrpc.MasterClientServiceBlockingStub stub = MasterClientServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(10, TimeUnit.SECONDS);
            assertThat(stub.clusterInfo(ClusterInfoRequest.getDefaultInstance()).getClusterId())
                    .isEqualTo(cluster.clusterId());
            assertThatThrownBy(() -> stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(otherCluster))
                    .clusterInfo(ClusterInfoRequest.getDefaultInstance()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode())
                            .isEqualTo(io.grpc.Status.Code.FAILED_PRECONDITION));
        }
    }

    // ------------------------------------------------------------------ helpers

    private static byte[] random(long size, long seed) {
        byte[] data = new byte[Math.toIntExact(size)];
        new Random(seed).nextBytes(data);
        return data;
    }

    private static void write(String path, byte[] data) throws IOException {
        try (MoosengFile file = client.open(path, OpenFlag.WRITE, OpenFlag.CREATE, OpenFlag.TRUNCATE)) {
            file.write(0, ByteBuffer.wrap(data));
        }
    }

    private static byte[] readAll(String path) throws IOException {
        return readAll(client, path);
    }

    private static byte[] readAll(MoosengClient reader, String path) throws IOException {
        try (MoosengFile file = reader.open(path, OpenFlag.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(file.size()));
            while (buf.hasRemaining()) {
                int n = file.read(buf.position(), buf);
                assertThat(n).as("read before EOF").isPositive();
            }
            return buf.array();
        }
    }

    private static final Credentials ROOT = Credentials.newBuilder().setUid(0).setGid(0).build();

    /** One call to the master's client service as a bare client would make it (no retries, no data path). */
    private static <T> T rawMaster(java.util.function.Function<MasterClientServiceGrpc.MasterClientServiceBlockingStub, T> call) {
        ManagedChannel channel = ManagedChannelBuilder.forTarget(cluster.masterAddress()).usePlaintext().build();
        try {
            return call.apply(MasterClientServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS));
        } finally {
            channel.shutdownNow();
        }
    }

    private static byte[] readWithFreshClient(String path) throws IOException {
        try (MoosengClient fresh = cluster.newClient()) {
            return readAll(fresh, path);
        }
    }

    private static int holderIndex(String path) throws IOException {
        return serverIndex(client.fileInfo(path).chunks().getFirst().replicas().getFirst().serverId());
    }

    private static int serverIndex(String serverId) {
        for (int i = 0; i < cluster.chunkServerCount(); i++) {
            if (cluster.chunkServer(i) != null && cluster.chunkServer(i).serverId().equals(serverId)) {
                return i;
            }
        }
        throw new AssertionError("no running chunk server " + serverId);
    }

    private static List<Path> chunkFilesNamed(long chunkId) throws IOException {
        String hex = String.format("%016X", chunkId);
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> p.toString().contains("/chunks/"))
                    .filter(p -> p.getFileName().toString().toUpperCase().contains(hex))
                    .toList();
        }
    }

    private static Path chunkFileOn(int serverIndex, long chunkId) throws IOException {
        String hex = String.format("%016X", chunkId);
        try (Stream<Path> files = Files.walk(cluster.chunkServerDataDir(serverIndex).resolve("chunks"))) {
            return files.filter(p -> p.getFileName().toString().toUpperCase().contains(hex)).findFirst()
                    .orElseThrow(() -> new AssertionError("chunk " + hex + " not on server " + serverIndex));
        }
    }
}
