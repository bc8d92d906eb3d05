package org.mooseng.master;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import org.mooseng.common.config.Config;
import org.mooseng.master.chunks.ChunkHealth;
import org.mooseng.master.chunks.ChunkRegistry;
import org.mooseng.master.raft.RaftEndpoints;
import org.mooseng.master.raft.RaftNode;
import org.mooseng.master.raft.RaftSettings;
import org.mooseng.master.service.CallerAddress;
import org.mooseng.master.service.ClientSessions;
import org.mooseng.master.service.ClusterIdInterceptor;
import org.mooseng.master.service.MasterAdminService;
import org.mooseng.master.service.MasterChunkServerService;
import org.mooseng.master.service.MasterClientService;
import org.mooseng.meta.MetaStore;
import org.mooseng.protocol.rpc.FramedServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One master: the namespace store, its Raft member, and the gRPC ports for clients and chunk
 * servers. {@link #format} prepares a data directory once; {@link #start} runs it.
 */
public final class MasterServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MasterServer.class);
    static final String CLUSTER_ID_FILE = "cluster-id";
    static final String RAFT_PORT_FILE = "raft-port";
    /** How often the leader deletes files left without a name and no longer open (PurgeRetainedOp). */
    static final long PURGE_INTERVAL_MS = 100;

    private final String clusterId;
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final List<Server> grpcServers = new ArrayList<>();
    private MetaStore store;
    private RaftNode raft;
    private ChunkRegistry registry;
    private Server clientServer;
    private FramedServer clientRpcServer;
    private Server chunkServerServer;
    private ClientSessions sessions;
    private java.util.concurrent.ScheduledExecutorService housekeeping;

    private MasterServer(String clusterId) {
        this.clusterId = clusterId;
    }

    // ------------------------------------------------------------------ data directory

    /** Creates DATA_DIR with its cluster-id file; refuses a directory already formatted. */
    public static void format(Config config, String clusterId) throws IOException {
        if (clusterId == null || clusterId.isBlank() || !clusterId.strip().equals(clusterId)) {
            throw new IOException("cluster id must be non-empty without surrounding spaces: '" + clusterId + "'");
        }
        Path dir = dataDir(config);
        Files.createDirectories(dir);
        Path file = dir.resolve(CLUSTER_ID_FILE);
        try {
            // CREATE_NEW is atomic: two concurrent formats cannot both succeed.
            Files.writeString(file, clusterId + "\n", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE,
                    java.nio.file.StandardOpenOption.SYNC);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("master data dir " + dir + " is already formatted for cluster "
                    + clusterIdOf(config) + "; refusing to overwrite it", e);
        }
        LOG.info("master data dir {} formatted for cluster {}", dir, clusterId);
    }

    public static boolean isFormatted(Config config) {
        return Files.isRegularFile(dataDir(config).resolve(CLUSTER_ID_FILE));
    }

    public static String clusterIdOf(Config config) throws IOException {
        Path file = dataDir(config).resolve(CLUSTER_ID_FILE);
        String id = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (id.isEmpty()) {
            throw new IOException(file + ": empty cluster id");
        }
        return id;
    }

    private static Path dataDir(Config config) {
        return Path.of(config.get(MasterConfig.DATA_DIR));
    }

    // ------------------------------------------------------------------ lifecycle

    /** Starts a formatted master; the ports are open when this returns, leadership comes later. */
    public static MasterServer start(Config config) throws IOException {
        if (!isFormatted(config)) {
            throw new IOException("master data dir " + dataDir(config) + " is not formatted: run "
                    + "'mooseng master format' (or MasterServer.format) with the cluster id first");
        }
        MasterServer master = new MasterServer(clusterIdOf(config));
        try {
            master.startAll(config);
        } catch (IOException | RuntimeException e) {
            master.close();
            throw e;
        }
        return master;
    }

    private void startAll(Config config) throws IOException {
        Path dir = dataDir(config);
        String listenHost = config.get(MasterConfig.LISTEN_HOST);
        String advertiseHost = config.get(MasterConfig.ADVERTISE_HOST).isEmpty()
                ? listenHost : config.get(MasterConfig.ADVERTISE_HOST);
        int raftPort = Math.toIntExact(config.get(MasterConfig.RAFT_PORT));
        boolean joining = config.get(MasterConfig.MASTER_JOIN);
        List<String> peers = joining ? List.of() : parsePeers(config.get(MasterConfig.MASTER_PEERS));
        if (raftPort == 0) {
            if (!peers.isEmpty() || joining) {
                throw new IOException("RAFT_PORT = 0 needs a group of one (MASTER_PEERS empty, MASTER_JOIN false): "
                        + "peers must know each other's ports");
            }
            raftPort = RaftEndpoints.rememberedRaftPort(dir.resolve(RAFT_PORT_FILE), listenHost);
        }
        String self = advertiseHost + ":" + raftPort;
        if (peers.isEmpty() && !joining) {
            peers = List.of(self);
        }

        store = MetaStore.open(dir.resolve("meta"), config.get(MasterConfig.METADATA_CACHE_ENTRIES));
        registry = new ChunkRegistry(System::currentTimeMillis, config.get(MasterConfig.CHUNKSERVER_TIMEOUT_MS));
        Clock clock = Clock.systemUTC();
        int defaultGoal = Math.toIntExact(config.get(MasterConfig.DEFAULT_GOAL));
        int clientPort = Math.toIntExact(config.get(MasterConfig.CLIENT_PORT));

        RaftSettings settings = new RaftSettings(self, listenHost, peers, dir.resolve("raft"),
                Math.toIntExact(config.get(MasterConfig.RAFT_ELECTION_TIMEOUT_MS)),
                Math.toIntExact(config.get(MasterConfig.SNAPSHOT_INTERVAL_S)), clientPort,
                config.get(MasterConfig.MIN_FREE_BYTES));
        LeaderDuties duties = new LeaderDuties(clusterId, store, registry, workers, clock);
        raft = RaftNode.start(settings, store, duties);
        duties.attach(raft);

        sessions = new ClientSessions(raft, store, store, registry, clock, config.get(MasterConfig.SESSION_LEASE_MS),
                config.get(MasterConfig.LOCK_RECLAIM_GRACE_MS));
        ChunkHealth chunkHealth = new ChunkHealth(store, registry, raft::isLeader, System::currentTimeMillis);
        MasterClientService clientService = new MasterClientService(raft, store, store, sessions, registry,
                chunkHealth, clock, new SecureRandom(), defaultGoal, clusterId);
        duties.onLeadershipChange(term -> {
            sessions.onLeadershipChange(term);
            clientService.onLeadershipChange();
        });
        long checkMs = config.get(MasterConfig.SESSION_CHECK_INTERVAL_MS);
        housekeeping = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon()
                .name("master-housekeeping").factory());
        housekeeping.scheduleWithFixedDelay(this::expireSessions, checkMs, checkMs, TimeUnit.MILLISECONDS);
        housekeeping.scheduleWithFixedDelay(this::purgeUnnamedFiles, PURGE_INTERVAL_MS, PURGE_INTERVAL_MS,
                TimeUnit.MILLISECONDS);
        long healthMs = config.get(MasterConfig.CHUNK_HEALTH_INTERVAL_MS);
        housekeeping.scheduleWithFixedDelay(() -> refreshChunkHealth(chunkHealth), healthMs, healthMs,
                TimeUnit.MILLISECONDS);
        MasterChunkServerService chunkServerService = new MasterChunkServerService(raft, store, registry, clusterId,
                Math.toIntExact(config.get(MasterConfig.DELETIONS_PER_HEARTBEAT)));
        MasterAdminService adminService = new MasterAdminService(raft, () -> advertiseHost + ":" + clientPort());
        clientRpcServer = FramedServer.start(listenHost, Math.toIntExact(config.get(MasterConfig.CLIENT_RPC_PORT)),
                List.of(ServerInterceptors.intercept(clientService, new ClusterIdInterceptor(clusterId),
                        new CallerAddress())));
        clientService.servedOverFramedRpc(clientRpcServer.port());
        clientServer = startGrpc(listenHost, clientPort, clientService, adminService);
        chunkServerServer = startGrpc(listenHost, Math.toIntExact(config.get(MasterConfig.CHUNKSERVER_PORT)),
                chunkServerService);
        LOG.info("master {} of cluster {} started: raft {}, clients {}:{} (framed RPC {}), chunk servers {}:{}", self,
                clusterId, joining ? "joining an existing group" : peers, listenHost, clientPort(),
                clientRpcServer.port(), listenHost, chunkServerPort());
    }

    private void purgeUnnamedFiles() {
        try {
            sessions.purgeRetained();
        } catch (RuntimeException e) {
            LOG.debug("purge of unnamed files failed", e);
        }
    }

    private void expireSessions() {
        try {
            sessions.expireOverdue();
        } catch (RuntimeException e) {
            // A store closing under the check, or a proposal failing: the next round retries.
            LOG.debug("session expiry check failed", e);
        }
    }

    private static void refreshChunkHealth(ChunkHealth chunkHealth) {
        try {
            chunkHealth.refresh();
        } catch (RuntimeException e) {
            // A store closing under the walk: the next round retries.
            LOG.debug("chunk health walk failed", e);
        }
    }

    /** One gRPC port serving {@code services}, each behind the cluster-id check. */
    private Server startGrpc(String host, int port, BindableService... services) throws IOException {
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(host, port)).executor(workers);
        for (BindableService service : services) {
            builder.addService(ServerInterceptors.intercept(service, new ClusterIdInterceptor(clusterId),
                    new CallerAddress()));
        }
        Server server = builder.build();
        grpcServers.add(server);
        server.start();
        return server;
    }

    static List<String> parsePeers(String raw) {
        return RaftEndpoints.parsePeers(raw);
    }

    /** The applied sessions and open files of this member (tests and in-process tools). */
    public org.mooseng.meta.SessionReader sessionState() {
        return store;
    }

    /** The applied namespace of this member (tests and in-process tools; clients use the client port). */
    org.mooseng.meta.NamespaceReader namespace() {
        return store;
    }

    public int clientPort() {
        return clientServer.getPort();
    }

    /** Where the client service is served over framed RPC. */
    public int clientRpcPort() {
        return clientRpcServer.port();
    }

    /** Client calls this master has started over framed RPC. */
    public long clientRpcCalls() {
        return clientRpcServer.callsStarted();
    }

    public int chunkServerPort() {
        return chunkServerServer.getPort();
    }

    public String clusterId() {
        return clusterId;
    }

    public boolean isLeader() {
        return raft != null && raft.isLeader();
    }

    /** This member's view of the master group (what 'mooseng admin masters' shows). */
    public org.mooseng.master.raft.RaftStatus raftStatus() {
        return raft.status();
    }

    /** Checkpoints the namespace into a Raft snapshot now instead of at the next SNAPSHOT_INTERVAL_S. */
    public java.util.concurrent.CompletableFuture<Void> takeSnapshot() {
        return raft.snapshot();
    }

    /** Blocks until {@link #close()} has finished. */
    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    /** Stops ports, Raft member and store, without taking a snapshot. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            for (Server server : grpcServers) {
                server.shutdownNow();
            }
            if (clientRpcServer != null) {
                clientRpcServer.close();
            }
            for (Server server : grpcServers) {
                try {
                    server.awaitTermination(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (housekeeping != null) {
                housekeeping.shutdownNow();
            }
            if (raft != null) {
                raft.close();
            }
            workers.shutdownNow();
            if (store != null) {
                store.close();
            }
            LOG.info("master of cluster {} stopped", clusterId);
        } finally {
            terminated.countDown();
        }
    }
}
