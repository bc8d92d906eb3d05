package org.mooseng.chunkserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.chunkserver.master.MasterEndpoint;
import org.mooseng.common.ChunkId;
import org.mooseng.common.ChunkVersion;
import org.mooseng.common.config.Config;
import org.mooseng.proto.ChunkReport;

/**
 * One chunk server and a group of fake masters: it registers and heartbeats with every one of
 * them, a master that is down or hangs delays none of the others, and one that comes back is
 * registered with again.
 */
class MasterGroupLinksTest {
    private static final Duration AWAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable resource : resources.reversed()) {
            resource.close();
        }
    }

    private <T extends AutoCloseable> T keep(T resource) {
        resources.add(resource);
        return resource;
    }

    private ChunkServer start(List<Integer> masterPorts) throws IOException {
        String masters = String.join(",", masterPorts.stream().map(p -> "127.0.0.1:" + p).toList());
        Config config = ChunkServerConfig.SCHEMA.defaults()
                .with(ChunkServerConfig.DATA_DIR, dir.resolve("cs").toString())
                .with(ChunkServerConfig.DATA_PORT, 0L)
                .with(ChunkServerConfig.MASTERS, masters)
                .with(ChunkServerConfig.HEARTBEAT_INTERVAL_MS, 30L)
                .with(ChunkServerConfig.MASTER_RETRY_MAX_MS, 300L)
                .with(ChunkServerConfig.MASTER_TIMEOUT_MS, 3_000L);
        return keep(ChunkServer.start(config));
    }

    @Test
    void everyMasterHearsOfEveryReplicaAndAHangingOrDownMasterDelaysNoOther() throws Exception {
        FakeMaster first = keep(new FakeMaster());
        FakeMaster second = keep(new FakeMaster());
        // Accepts connections (the kernel's backlog) but never answers: each call runs into its deadline.
        ServerSocket hanging = keep(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        int downPort = freePort();
        ChunkServer server = start(List.of(first.port(), hanging.getLocalPort(), second.port(), downPort));
        String id = server.serverId();

        await().atMost(AWAIT).until(() -> first.registrationsOf(id).size() == 1
                && second.registrationsOf(id).size() == 1);
        long startedNanos = System.nanoTime();
        await().atMost(AWAIT).until(() -> first.heartbeatsOf(id).size() >= 10 && second.heartbeatsOf(id).size() >= 10);
        assertThat(Duration.ofNanos(System.nanoTime() - startedNanos)).as("10 heartbeats at 30 ms each, while one"
                + " master hangs for 3 s per call and another refuses connections")
                .isLessThan(Duration.ofMillis(2_500));
        assertThat(server.registeredWith()).containsExactlyInAnyOrder(new MasterEndpoint("127.0.0.1", first.port()),
                new MasterEndpoint("127.0.0.1", second.port()));

        server.store().write(new ChunkId(0x51), new ChunkVersion(2), new ChunkVersion(0), 0, ByteBuffer.allocate(10));
        ChunkReport created = ChunkReport.newBuilder().setChunkId(0x51).setVersion(2).build();
        for (FakeMaster master : List.of(first, second)) {
            await().atMost(AWAIT).until(() -> master.heartbeatsOf(id).stream()
                    .anyMatch(h -> h.getChangedList().contains(created)));
        }

        // The leader (here: the second) orders a deletion; the other master hears the replica is gone.
        second.delete(id, 0x51, 2);
        await().atMost(AWAIT).until(() -> first.heartbeatsOf(id).stream()
                .anyMatch(h -> h.getDeletedList().contains(created)));
        assertThat(server.store().get(new ChunkId(0x51))).isNull();

        // The master that was down comes up: registered with, full replica list and all, within the backoff cap.
        server.store().write(new ChunkId(0x52), new ChunkVersion(1), new ChunkVersion(0), 0, ByteBuffer.allocate(10));
        FakeMaster late = keep(new FakeMaster(downPort));
        await().atMost(AWAIT).until(() -> late.registrationsOf(id).size() == 1);
        assertThat(late.registrationsOf(id).getFirst().request().getChunksList())
                .containsExactly(ChunkReport.newBuilder().setChunkId(0x52).setVersion(1).build());
        assertThat(late.registrationsOf(id).getFirst().headerClusterId()).isEqualTo(FakeMaster.CLUSTER_ID);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
