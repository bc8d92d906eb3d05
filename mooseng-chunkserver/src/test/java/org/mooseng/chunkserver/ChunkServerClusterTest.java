package org.mooseng.chunkserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.chunkserver.store.StoredChunk;
import org.mooseng.common.ChunkId;
import org.mooseng.common.ChunkVersion;
import org.mooseng.common.Status;
import org.mooseng.common.config.Config;
import org.mooseng.proto.ChunkReport;
import org.mooseng.protocol.data.DataClient;
import org.mooseng.protocol.data.DataFrame;

/** Three chunk servers in this JVM against a fake master, driven through the real data plane. */
class ChunkServerClusterTest {
    private static final long TIMEOUT_MS = 10_000;
    private static final Duration AWAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private FakeMaster master;
    private final List<ChunkServer> servers = new ArrayList<>();
    private DataClient client;

    @BeforeEach
    void start() throws Exception {
        master = new FakeMaster();
        for (int i = 0; i < 3; i++) {
            servers.add(startServer(i));
        }
        for (ChunkServer server : servers) {
            await().atMost(AWAIT).until(server::isRegistered);
        }
        client = new DataClient(FakeMaster.CLUSTER_ID, 2);
    }

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        servers.forEach(ChunkServer::close);
        master.close();
    }

    private ChunkServer startServer(int index) throws IOException {
        return ChunkServer.start(config(dir.resolve("cs" + index)));
    }

    private Config config(Path dataDir) {
        return ChunkServerConfig.SCHEMA.defaults()
                .with(ChunkServerConfig.DATA_DIR, dataDir.toString())
                .with(ChunkServerConfig.DATA_PORT, 0L)
                .with(ChunkServerConfig.MASTER_PORT, (long) master.port())
                .with(ChunkServerConfig.HEARTBEAT_INTERVAL_MS, 30L)
                .with(ChunkServerConfig.FORWARD_TIMEOUT_MS, 5_000L);
    }

    private DataFrame.Address address(int index) {
        return new DataFrame.Address("127.0.0.1", servers.get(index).dataPort());
    }

    private DataFrame write(int first, List<DataFrame.Address> chain, long chunkId, int version, int previous,
                            int offset, byte[] bytes) throws Exception {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        int crc32c = (int) crc.getValue();
        return client.call(address(first), id -> new DataFrame.Write(id, chunkId, version, previous, offset, chain,
                crc32c, Unpooled.wrappedBuffer(bytes)), TIMEOUT_MS).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    private static byte[] random(int length) {
        byte[] bytes = new byte[length];
        new Random(length).nextBytes(bytes);
        return bytes;
    }

    @Test
    void chainWriteReachesEveryReplicaBeforeItIsAcknowledged() throws Exception {
        byte[] bytes = random(300_000);
        DataFrame reply = write(0, List.of(address(1), address(2)), 0x10, 1, 0, 4096, bytes);

        assertThat(reply).isInstanceOf(DataFrame.Ok.class);
        // checked right at the acknowledgement, without waiting: every replica must already hold the data
        for (ChunkServer server : servers) {
            assertThat(server.store().read(new ChunkId(0x10), new ChunkVersion(1), 4096, bytes.length))
                    .isEqualTo(bytes);
        }
        DataFrame.Data data = (DataFrame.Data) client.call(address(2),
                id -> new DataFrame.Read(id, 0x10, 1, 4096, bytes.length), TIMEOUT_MS)
                .get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        try {
            byte[] back = new byte[data.data().readableBytes()];
            data.data().getBytes(data.data().readerIndex(), back);
            CRC32C crc = new CRC32C();
            crc.update(back);
            assertThat(back).isEqualTo(bytes);
            assertThat(data.crc32c()).isEqualTo((int) crc.getValue());
        } finally {
            data.data().release();
        }
        for (ChunkServer server : servers) {
            await().atMost(AWAIT).until(() -> master.heartbeatsOf(server.serverId()).stream()
                    .anyMatch(h -> h.getChangedList().contains(report(0x10, 1))));
        }
    }

    @Test
    void deadDownstreamFailsTheWriteNamingThatServer() throws Exception {
        DataFrame.Address dead = new DataFrame.Address("127.0.0.1", freePort());
        DataFrame reply = write(0, List.of(address(1), dead), 0x11, 1, 0, 0, random(1000));
        assertThat(reply).isInstanceOfSatisfying(DataFrame.Error.class,
                e -> assertThat(e.failedServer()).isEqualTo(dead.toString()));

        DataFrame.Address second = address(1);
        servers.get(1).close();
        DataFrame again = write(0, List.of(second, address(2)), 0x12, 1, 0, 0, random(1000));
        assertThat(again).isInstanceOfSatisfying(DataFrame.Error.class,
                e -> assertThat(e.failedServer()).isEqualTo(second.toString()));
    }

    @Test
    void staleVersionAndCorruptTransferAreRefusedByTheServerThatSawThem() throws Exception {
        assertThat(write(0, List.of(address(1)), 0x13, 5, 0, 0, random(10))).isInstanceOf(DataFrame.Ok.class);
        DataFrame stale = write(0, List.of(address(1)), 0x13, 4, 3, 0, random(10));
        assertThat(stale).isInstanceOfSatisfying(DataFrame.Error.class, e -> {
            assertThat(e.status()).isEqualTo(Status.ESTALE.code());
            assertThat(e.failedServer()).isEqualTo(address(0).toString());
            assertThat(e.message()).startsWith("chunk 0000000000000013 v4: replica is v5, newer than the write's v4");
        });
        assertThat(write(0, List.of(), 0x18, 3, 0, 0, random(10))).isInstanceOf(DataFrame.Ok.class);
        assertThat(write(1, List.of(), 0x18, 2, 0, 0, random(10))).isInstanceOf(DataFrame.Ok.class);
        DataFrame missedAWrite = write(0, List.of(address(1)), 0x18, 6, 3, 0, random(10));
        assertThat(missedAWrite).as("the second server's replica is older than the base")
                .isInstanceOfSatisfying(DataFrame.Error.class, e -> {
                    assertThat(e.status()).isEqualTo(Status.EIO.code());
                    assertThat(e.failedServer()).isEqualTo(address(1).toString());
                    assertThat(e.message()).isEqualTo("chunk 0000000000000018 v6: replica is v2, older than the write's base v3");
                });
        DataFrame corrupt = client.call(address(0), id -> new DataFrame.Write(id, 0x14, 1, 0, 0, List.of(),
                12345, Unpooled.wrappedBuffer(random(10))), TIMEOUT_MS).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        assertThat(corrupt).isInstanceOfSatisfying(DataFrame.Error.class,
                e -> assertThat(e.status()).isEqualTo(Status.CHECKSUM_MISMATCH.code()));
        assertThat(servers.get(0).store().get(new ChunkId(0x14))).isNull();
    }

    @Test
    void truncateIsForwardedDownTheChain() throws Exception {
        write(0, List.of(address(1)), 0x15, 1, 0, 0, random(5000));
        DataFrame reply = client.call(address(0), id -> new DataFrame.Truncate(id, 0x15, 2, 1, 100,
                List.of(address(1))), TIMEOUT_MS).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        assertThat(reply).isInstanceOf(DataFrame.Ok.class);
        for (int i = 0; i < 2; i++) {
            assertThat(servers.get(i).store().get(new ChunkId(0x15)))
                    .isEqualTo(new StoredChunk(new ChunkId(0x15), new ChunkVersion(2), 100));
        }
    }

    @Test
    void corruptReplicaIsRefusedOnReadMovedAsideAndReportedLost() throws Exception {
        write(0, List.of(), 0x16, 3, 0, 0, random(200_000));
        Path file = dir.resolve("cs0").resolve("chunks").resolve("16").resolve("0000000000000016.chunk");
        byte[] raw = Files.readAllBytes(file);
        raw[8192 + 70_000] ^= 0x01;
        Files.write(file, raw);

        DataFrame reply = client.call(address(0), id -> new DataFrame.Read(id, 0x16, 3, 65_536, 10), TIMEOUT_MS)
                .get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        assertThat(reply).isInstanceOfSatisfying(DataFrame.Error.class, e -> {
            assertThat(e.status()).isEqualTo(Status.CHECKSUM_MISMATCH.code());
            assertThat(e.message()).isEqualTo("chunk 0000000000000016 v3: CRC mismatch in block 1");
            assertThat(e.failedServer()).isEqualTo(address(0).toString());
        });
        assertThat(dir.resolve("cs0").resolve("damaged").resolve("0000000000000016.chunk")).exists();
        await().atMost(AWAIT).until(() -> master.heartbeatsOf(servers.getFirst().serverId()).stream()
                .anyMatch(h -> h.getLostList().contains(report(0x16, 3))));
        assertThat(master.heartbeatsOf(servers.getFirst().serverId()))
                .allSatisfy(h -> assertThat(h.getDeletedList()).isEmpty());
    }

    @Test
    void concurrentPipelinedWritesToOneChunkAllLand() throws Exception {
        int pieces = 32;
        int pieceBytes = 20_000;
        byte[] whole = random(pieces * pieceBytes);
        assertThat(write(0, List.of(address(1), address(2)), 0x17, 1, 0, 0, new byte[1]))
                .isInstanceOf(DataFrame.Ok.class);
        List<java.util.concurrent.CompletableFuture<DataFrame>> calls = new ArrayList<>();
        for (int i = 0; i < pieces; i++) {
            byte[] piece = java.util.Arrays.copyOfRange(whole, i * pieceBytes, (i + 1) * pieceBytes);
            CRC32C crc = new CRC32C();
            crc.update(piece);
            int offset = i * pieceBytes;
            calls.add(client.call(address(0), id -> new DataFrame.Write(id, 0x17, 1, 0, offset,
                    List.of(address(1), address(2)), (int) crc.getValue(), Unpooled.wrappedBuffer(piece)), TIMEOUT_MS));
        }
        for (var call : calls) {
            assertThat(call.get(TIMEOUT_MS, TimeUnit.MILLISECONDS)).isInstanceOf(DataFrame.Ok.class);
        }
        for (ChunkServer server : servers) {
            assertThat(server.store().read(new ChunkId(0x17), new ChunkVersion(1), 0, whole.length)).isEqualTo(whole);
        }
    }

    @Test
    void wrongClusterIdIsRefused() {
        try (DataClient stranger = new DataClient("another-cluster", 1)) {
            assertThatThrownBy(() -> stranger.call(address(0), id -> new DataFrame.Read(id, 1, 1, 0, 1), TIMEOUT_MS)
                    .get(TIMEOUT_MS, TimeUnit.MILLISECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(IOException.class)
                    .hasMessageContaining("wrong cluster");
        }
    }

    @Test
    void firstStartAdoptsAndKeepsTheClusterId() throws Exception {
        Path dataDir = dir.resolve("cs0");
        assertThat(Files.readString(dataDir.resolve("cluster-id")).strip()).isEqualTo(FakeMaster.CLUSTER_ID);
        assertThat(Files.readString(dataDir.resolve("server-id")).strip()).isEqualTo(servers.getFirst().serverId());
        FakeMaster.Registration first = master.registrationsOf(servers.getFirst().serverId()).getFirst();
        assertThat(first.headerClusterId()).as("no header before a cluster id is known").isEqualTo("null");
        assertThat(first.request().getPort()).isEqualTo(servers.getFirst().dataPort());
    }

    @Test
    void deletionsFromTheMasterAreExecutedAndReportedAsDeletedNotLost() throws Exception {
        write(0, List.of(), 0x20, 3, 0, 0, random(100));
        write(0, List.of(), 0x21, 1, 0, 0, random(100));
        String serverId = servers.getFirst().serverId();
        master.delete(serverId, 0x20, 3);
        master.delete(serverId, 0x21, 9); // another version: must be kept

        await().atMost(AWAIT).until(() -> master.heartbeatsOf(serverId).stream()
                .anyMatch(h -> h.getDeletedList().contains(report(0x20, 3))));
        assertThat(servers.getFirst().store().get(new ChunkId(0x20))).isNull();
        assertThat(servers.getFirst().store().get(new ChunkId(0x21))).isNotNull();
        assertThat(master.heartbeatsOf(serverId)).as("a deletion is not damage")
                .allSatisfy(h -> assertThat(h.getLostList()).isEmpty());
        assertThat(master.heartbeatsOf(serverId)).flatExtracting(h -> h.getDeletedList())
                .doesNotContain(report(0x21, 1));
    }

    @Test
    void restartReRegistersWithItsChunks() throws Exception {
        write(1, List.of(), 0x30, 4, 0, 0, random(100));
        String serverId = servers.get(1).serverId();
        servers.get(1).close();
        ChunkServer restarted = startServer(1);
        servers.set(1, restarted);

        assertThat(restarted.serverId()).isEqualTo(serverId);
        await().atMost(AWAIT).until(() -> master.registrationsOf(serverId).size() >= 2);
        FakeMaster.Registration again = master.registrationsOf(serverId).getLast();
        assertThat(again.request().getChunksList()).containsExactly(report(0x30, 4));
        assertThat(again.headerClusterId()).isEqualTo(FakeMaster.CLUSTER_ID);
    }

    @Test
    void unknownToTheMasterRegistersAgain() {
        String serverId = servers.getFirst().serverId();
        int before = master.registrationsOf(serverId).size();
        master.forgetServers();
        await().atMost(AWAIT).until(() -> master.registrationsOf(serverId).size() > before);
    }

    @Test
    void masterOfAnotherClusterIsRetriedAndDeletesNothing() throws Exception {
        Path foreign = dir.resolve("foreign");
        Files.createDirectories(foreign);
        Files.writeString(foreign.resolve("cluster-id"), "other-cluster\n");
        ChunkServer server = ChunkServer.start(config(foreign));
        servers.add(server);
        server.store().write(new ChunkId(0x40), new ChunkVersion(1), new ChunkVersion(0), 0,
                java.nio.ByteBuffer.wrap(new byte[10]));

        await().atMost(AWAIT).until(() -> master.refusedClusterIds.stream()
                .filter("other-cluster"::equals).count() >= 3);
        assertThat(server.isRegistered()).isFalse();
        assertThat(server.store().get(new ChunkId(0x40))).isNotNull();
        assertThat(Files.readString(foreign.resolve("cluster-id")).strip()).isEqualTo("other-cluster");
    }

    @Test
    void closeIsIdempotentAndReleasesAwaitTermination() throws Exception {
        ChunkServer server = servers.get(2);
        Thread waiter = Thread.ofVirtual().start(() -> {
            try {
                server.awaitTermination();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.close();
        server.close();
        assertThat(waiter.join(Duration.ofSeconds(10))).isTrue();
        try (ServerSocket reuse = new ServerSocket(server.dataPort(), 1,
                java.net.InetAddress.getByName("127.0.0.1"))) {
            assertThat(reuse.getLocalPort()).as("data port released").isEqualTo(server.dataPort());
        }
    }

    private static ChunkReport report(long chunkId, int version) {
        return ChunkReport.newBuilder().setChunkId(chunkId).setVersion(version).build();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
