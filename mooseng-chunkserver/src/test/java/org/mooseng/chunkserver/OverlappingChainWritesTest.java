package org.mooseng.chunkserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.common.config.Config;
import org.mooseng.protocol.data.DataClient;
import org.mooseng.protocol.data.DataFrame;

/**
 * Two writers sharing one lease write overlapping ranges of one chunk at the same time,
 * each on its own connection to the chain head. Whatever order the head accepts their
 * frames in, both replicas must end up byte-identical: the head applies the frames in that
 * order and forwards them in that order, and the next server applies them in that order too.
 */
class OverlappingChainWritesTest {
    private static final long TIMEOUT_MS = 30_000;
    private static final Duration AWAIT = Duration.ofSeconds(10);
    private static final long CHUNK = 0x51;
    private static final int VERSION = 1;
    private static final int FRAMES_PER_WRITER = 200;
    /** Every frame lands somewhere in this window, so most frames overlap several others. */
    private static final int WINDOW_BYTES = 128 * 1024;
    private static final int MAX_FRAME_BYTES = 24 * 1024;

    @TempDir
    Path dir;

    private FakeMaster master;
    private final List<ChunkServer> servers = new ArrayList<>();
    private final List<DataClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        master = new FakeMaster();
        for (int i = 0; i < 2; i++) {
            servers.add(ChunkServer.start(config(dir.resolve("cs" + i))));
        }
        for (ChunkServer server : servers) {
            await().atMost(AWAIT).until(server::isRegistered);
        }
    }

    @AfterEach
    void stop() {
        clients.forEach(DataClient::close);
        servers.forEach(ChunkServer::close);
        master.close();
    }

    private Config config(Path dataDir) {
        return ChunkServerConfig.SCHEMA.defaults()
                .with(ChunkServerConfig.DATA_DIR, dataDir.toString())
                .with(ChunkServerConfig.DATA_PORT, 0L)
                .with(ChunkServerConfig.MASTER_PORT, (long) master.port())
                .with(ChunkServerConfig.HEARTBEAT_INTERVAL_MS, 30L)
                .with(ChunkServerConfig.DISK_THREADS, 4L)
                .with(ChunkServerConfig.DOWNSTREAM_CONNECTIONS, 4L);
    }

    private DataFrame.Address address(int index) {
        return new DataFrame.Address("127.0.0.1", servers.get(index).dataPort());
    }

    /**
     * Frame {@code frame} of writer {@code writer}: every 4-byte word holds the signature
     * (writer + 1) << 16 | frame, so the final bytes tell which frame wrote them last.
     */
    private static byte[] pattern(int writer, int frame, int length) {
        ByteBuffer bytes = ByteBuffer.allocate(length);
        while (bytes.hasRemaining()) {
            bytes.putInt((writer + 1) << 16 | frame);
        }
        return bytes.array();
    }

    private static int crc32c(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return (int) crc.getValue();
    }

    @Test
    void overlappingConcurrentWritesLeaveIdenticalReplicas() throws Exception {
        List<DataFrame.Address> rest = List.of(address(1));
        for (int writer = 0; writer < 2; writer++) {
            clients.add(new DataClient(FakeMaster.CLUSTER_ID, 1));
        }
        // No write goes first: the burst creates the chunk (base version 0) and reaches the head
        // before it has a connection to the next server, so the order must also hold while
        // that connection is being made.
        CountDownLatch go = new CountDownLatch(1);
        List<List<CompletableFuture<DataFrame>>> replies = new ArrayList<>();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            int writer = w;
            DataClient client = clients.get(writer);
            List<CompletableFuture<DataFrame>> calls = new ArrayList<>();
            replies.add(calls);
            writers.add(Thread.ofPlatform().start(() -> {
                Random random = new Random(writer);
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int frame = 0; frame < FRAMES_PER_WRITER; frame++) {
                    int length = 4 * (1 + random.nextInt(MAX_FRAME_BYTES / 4));
                    int offset = 4 * random.nextInt((WINDOW_BYTES - length) / 4);
                    byte[] bytes = pattern(writer, frame, length);
                    int crc = crc32c(bytes);
                    calls.add(client.call(address(0), id -> new DataFrame.Write(id, CHUNK, VERSION, 0, offset, rest,
                            crc, Unpooled.wrappedBuffer(bytes)), TIMEOUT_MS));
                }
            }));
        }
        go.countDown();
        for (Thread writer : writers) {
            writer.join();
        }
        for (List<CompletableFuture<DataFrame>> calls : replies) {
            assertThat(calls).hasSize(FRAMES_PER_WRITER);
            for (CompletableFuture<DataFrame> call : calls) {
                assertThat(call.get(TIMEOUT_MS, TimeUnit.MILLISECONDS)).isInstanceOf(DataFrame.Ok.class);
            }
        }

        byte[] head = readWindow(0);
        byte[] next = readWindow(1);
        Set<Integer> writersSeen = new HashSet<>();
        ByteBuffer words = ByteBuffer.wrap(head);
        while (words.hasRemaining()) {
            int word = words.getInt();
            if (word != 0) {
                writersSeen.add((word >>> 16) - 1);
            }
        }
        assertThat(writersSeen).as("both writers' data survives somewhere").containsExactlyInAnyOrder(0, 1);
        assertThat(Arrays.mismatch(head, next)).as("first byte where the second replica differs from the head's"
                + " (-1: none)").isEqualTo(-1);
    }

    /** Reads the written window from one server over the data plane, not through the chain. */
    private byte[] readWindow(int server) throws Exception {
        DataFrame reply = clients.getFirst().call(address(server),
                id -> new DataFrame.Read(id, CHUNK, VERSION, 0, WINDOW_BYTES), TIMEOUT_MS)
                .get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        assertThat(reply).isInstanceOf(DataFrame.Data.class);
        DataFrame.Data data = (DataFrame.Data) reply;
        try {
            byte[] bytes = new byte[data.data().readableBytes()];
            data.data().getBytes(data.data().readerIndex(), bytes);
            assertThat(bytes).hasSize(WINDOW_BYTES);
            return bytes;
        } finally {
            data.data().release();
        }
    }
}
