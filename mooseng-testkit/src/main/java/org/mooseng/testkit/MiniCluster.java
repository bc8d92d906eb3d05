package org.mooseng.testkit;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.mooseng.chunkserver.ChunkServer;
import org.mooseng.chunkserver.ChunkServerConfig;
import org.mooseng.client.ClientOptions;
import org.mooseng.client.MoosengClient;
import org.mooseng.client.MoosengException;
import org.mooseng.common.config.Config;
import org.mooseng.master.MasterConfig;
import org.mooseng.master.MasterServer;

/**
 * A whole cluster in one JVM: one master and N chunk servers with real gRPC and data-plane
 * connections on loopback, each with its own data directory under {@code root}. Servers can
 * be stopped and started again on the same data, which is how tests model a crash (the
 * on-disk state is whatever the server had written; nothing is flushed on close beyond what
 * an acknowledged operation already required).
 */
public final class MiniCluster implements AutoCloseable {
    private final Path root;
    private final String clusterId = "mini-" + UUID.randomUUID();
    private Config masterConfig;
    private final List<Config> chunkServerConfigs = new ArrayList<>();
    private final List<ChunkServer> chunkServers = new ArrayList<>();
    private final List<MoosengClient> clients = new ArrayList<>();
    private MasterServer master;

    private MiniCluster(Path root, int chunkServerCount) {
        this.root = root;
        // Port 0 everywhere: each server binds a free port itself, so concurrent test JVMs
        // cannot take a port between choosing and binding it. Once bound, a port is pinned in
        // the config so a restarted server comes back where its peers expect it.
        this.masterConfig = MasterConfig.SCHEMA.defaults()
                .with(MasterConfig.DATA_DIR, root.resolve("master").toString())
                .with(MasterConfig.RAFT_PORT, 0L)
                .with(MasterConfig.CLIENT_PORT, 0L)
                .with(MasterConfig.CLIENT_RPC_PORT, 0L)
                .with(MasterConfig.CHUNKSERVER_PORT, 0L)
                .with(MasterConfig.CHUNKSERVER_TIMEOUT_MS, 3000L);
        for (int i = 0; i < chunkServerCount; i++) {
            chunkServerConfigs.add(ChunkServerConfig.SCHEMA.defaults()
                    .with(ChunkServerConfig.DATA_DIR, root.resolve("chunkserver-" + (i + 1)).toString())
                    .with(ChunkServerConfig.DATA_PORT, 0L)
                    .with(ChunkServerConfig.HEARTBEAT_INTERVAL_MS, 200L));
            chunkServers.add(null);
        }
    }

    /** Formats and starts a master and {@code chunkServerCount} chunk servers; waits until all registered. */
    public static MiniCluster start(Path root, int chunkServerCount) throws IOException {
        MiniCluster cluster = new MiniCluster(root, chunkServerCount);
        try {
            MasterServer.format(cluster.masterConfig, cluster.clusterId);
            cluster.startMaster();
            for (int i = 0; i < chunkServerCount; i++) {
                cluster.startChunkServer(i);
            }
            cluster.awaitChunkServers(chunkServerCount, Duration.ofSeconds(30));
            return cluster;
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    public String clusterId() {
        return clusterId;
    }

    public Path root() {
        return root;
    }

    /** host:port of the master's client service, as {@code -H} takes it. */
    public String masterAddress() {
        return "127.0.0.1:" + masterConfig.get(MasterConfig.CLIENT_PORT);
    }

    public MasterServer master() {
        return master;
    }

    public void startMaster() throws IOException {
        master = MasterServer.start(masterConfig);
        masterConfig = masterConfig.with(MasterConfig.CLIENT_PORT, (long) master.clientPort())
                .with(MasterConfig.CLIENT_RPC_PORT, (long) master.clientRpcPort())
                .with(MasterConfig.CHUNKSERVER_PORT, (long) master.chunkServerPort());
    }

    public void stopMaster() {
        if (master != null) {
            master.close();
            master = null;
        }
    }

    public void restartMaster() throws IOException {
        stopMaster();
        startMaster();
    }

    public int chunkServerCount() {
        return chunkServers.size();
    }

    public ChunkServer chunkServer(int index) {
        return chunkServers.get(index);
    }

    public Path chunkServerDataDir(int index) {
        return Path.of(chunkServerConfigs.get(index).get(ChunkServerConfig.DATA_DIR));
    }

    public void startChunkServer(int index) throws IOException {
        if (chunkServers.get(index) != null) {
            throw new IllegalStateException("chunk server " + (index + 1) + " is already running");
        }
        Config config = chunkServerConfigs.get(index)
                .with(ChunkServerConfig.MASTER_PORT, masterConfig.get(MasterConfig.CHUNKSERVER_PORT));
        ChunkServer server = ChunkServer.start(config);
        chunkServers.set(index, server);
        chunkServerConfigs.set(index, config.with(ChunkServerConfig.DATA_PORT, (long) server.dataPort()));
    }

    public void stopChunkServer(int index) {
        ChunkServer server = chunkServers.get(index);
        if (server != null) {
            server.close();
            chunkServers.set(index, null);
        }
    }

    /** A client of this cluster; closed with the cluster. */
    public MoosengClient newClient() throws MoosengException {
        return newClient(ClientOptions.builder().expectedClusterId(clusterId));
    }

    /** A client with the given options, pointed at this cluster's master. */
    public MoosengClient newClient(ClientOptions.Builder options) throws MoosengException {
        MoosengClient client = MoosengClient.connect(options
                .master("127.0.0.1", (int) (long) masterConfig.get(MasterConfig.CLIENT_PORT))
                .build());
        clients.add(client);
        return client;
    }

    /** Waits until the master counts {@code count} alive chunk servers. */
    public void awaitChunkServers(int count, Duration timeout) throws IOException {
        Instant deadline = Instant.now().plus(timeout);
        try (MoosengClient client = MoosengClient.connect(ClientOptions.builder()
                .master("127.0.0.1", (int) (long) masterConfig.get(MasterConfig.CLIENT_PORT)).build())) {
            while (true) {
                try {
                    if (client.clusterInfo().chunkServers() == count) {
                        return;
                    }
                } catch (MoosengException e) {
                    // the master may still be electing itself; retry until the deadline
                }
                if (Instant.now().isAfter(deadline)) {
                    throw new IOException("cluster did not reach " + count + " alive chunk servers within " + timeout);
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for chunk servers", e);
        }
    }

    @Override
    public void close() {
        for (MoosengClient client : clients) {
            client.close();
        }
        clients.clear();
        for (int i = 0; i < chunkServers.size(); i++) {
            stopChunkServer(i);
        }
        stopMaster();
    }
}
