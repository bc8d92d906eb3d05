package org.mooseng.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mooseng.common.Layout;

/** The production data plane (DataClient over TCP) against a socket-level chunk server. */
class DataClientTransportTest {
    private FakeMaster master;
    private NettyChunkServer chunkServer;
    private MoosengClient client;

    @BeforeEach
    void start() throws Exception {
        master = new FakeMaster();
        chunkServer = new NettyChunkServer(FakeMaster.CLUSTER_ID);
        master.servers.clear();
        master.servers.add(chunkServer.address());
        client = MoosengClient.connect(master.options().build());
    }

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        chunkServer.close();
        master.close();
    }

    @Test
    void largeFileAcrossAChunkBoundaryRoundTripsOverTcp() throws Exception {
        byte[] data = new byte[10 << 20];
        new Random(42).nextBytes(data);
        long position = Layout.CHUNK_SIZE_BYTES - (3 << 20);
        try (MoosengFile f = client.open("/big", OpenFlag.WRITE, OpenFlag.CREATE)) {
            f.write(position, ByteBuffer.wrap(data));
        }
        assertThat(client.stat("/big").sizeBytes()).isEqualTo(position + data.length);
        assertThat(chunkServer.writeFrames.get()).isEqualTo(3); // 3 MiB to chunk 0, then 4 + 3 MiB to chunk 1
        try (MoosengFile f = client.open("/big")) {
            ByteBuffer dst = ByteBuffer.allocate(data.length);
            assertThat(f.read(position, dst)).isEqualTo(data.length);
            assertThat(dst.array()).isEqualTo(data);
        }
        assertThat(client.fileInfo("/big").chunks()).extracting(FileLayout.Chunk::chunkIndex)
                .isEqualTo(List.of(0L, 1L));
    }

    @Test
    void truncateReachesTheChunkServer() throws Exception {
        try (MoosengFile f = client.create("/t", 0644, true)) {
            f.write(0, ByteBuffer.wrap(new byte[5000]));
        }
        client.truncate("/t", 100);
        assertThat(chunkServer.chunks.values()).singleElement().satisfies(c -> assertThat(c.length).isEqualTo(100));
    }
}
