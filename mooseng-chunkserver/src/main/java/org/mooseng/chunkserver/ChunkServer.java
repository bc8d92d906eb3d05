package org.mooseng.chunkserver;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.mooseng.chunkserver.data.DataServer;
import org.mooseng.chunkserver.data.Downstream;
import org.mooseng.chunkserver.master.MasterEndpoint;
import org.mooseng.chunkserver.master.MasterLinks;
import org.mooseng.chunkserver.master.ServerIdentity;
import org.mooseng.chunkserver.store.ChunkStore;
import org.mooseng.common.config.Config;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running chunk server: the chunk store of DATA_DIR, the data-plane server, and the
 * links to every master of the group. {@link #start} returns once the data port is listening; the
 * registrations with the masters proceed in the background and are retried until they succeed.
 */
public final class ChunkServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkServer.class);
    /** Disk requests queued beyond this are refused with EAGAIN rather than piling up in memory. */
    private static final int DISK_QUEUE_LIMIT = 4096;

    private final ServerIdentity identity;
    private final ChunkStore store;
    private final ThreadPoolExecutor disk;
    private final Downstream downstream;
    private final DataServer dataServer;
    private final MasterLinks masters;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch terminated = new CountDownLatch(1);

    private ChunkServer(ServerIdentity identity, ChunkStore store, ThreadPoolExecutor disk, Downstream downstream,
                        DataServer dataServer, MasterLinks masters) {
        this.identity = identity;
        this.store = store;
        this.disk = disk;
        this.downstream = downstream;
        this.dataServer = dataServer;
        this.masters = masters;
    }

    public static ChunkServer start(Config config) throws IOException {
        Path dataDir = Path.of(config.get(ChunkServerConfig.DATA_DIR));
        ServerIdentity identity = ServerIdentity.load(dataDir);
        MasterLinks masters = new MasterLinks(ChunkServerConfig.masters(config));
        ChunkStore store = ChunkStore.open(dataDir, masters);
        ThreadPoolExecutor disk = diskExecutor(config.get(ChunkServerConfig.DISK_THREADS).intValue());
        Downstream downstream = new Downstream(identity::clusterId,
                config.get(ChunkServerConfig.DOWNSTREAM_CONNECTIONS).intValue());
        String listenHost = config.get(ChunkServerConfig.LISTEN_HOST);
        String advertised = config.get(ChunkServerConfig.ADVERTISE_HOST);
        String advertiseHost = advertised.isBlank() ? listenHost : advertised;
        DataServer dataServer;
        try {
            dataServer = DataServer.start(listenHost, config.get(ChunkServerConfig.DATA_PORT).intValue(),
                    advertiseHost, config.get(ChunkServerConfig.NETWORK_THREADS).intValue(),
                    new DataServer.Context(store, identity::clusterId, downstream, disk,
                            config.get(ChunkServerConfig.FORWARD_TIMEOUT_MS)));
        } catch (IOException | RuntimeException e) {
            downstream.close();
            disk.shutdownNow();
            throw e;
        }
        masters.start(advertiseHost, dataServer.port(), config.get(ChunkServerConfig.HEARTBEAT_INTERVAL_MS),
                config.get(ChunkServerConfig.MASTER_TIMEOUT_MS), config.get(ChunkServerConfig.MASTER_RETRY_MAX_MS),
                identity, store);
        LOG.info("chunk server {} started: data dir {}, data port {}, {} chunks, masters {}", identity.serverId(),
                dataDir, dataServer.port(), store.chunkCount(), masters.masters());
        return new ChunkServer(identity, store, disk, downstream, dataServer, masters);
    }

    private static ThreadPoolExecutor diskExecutor(int threads) {
        AtomicInteger counter = new AtomicInteger();
        return new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(DISK_QUEUE_LIMIT), r -> {
                    Thread t = new Thread(r, "chunk-disk-" + counter.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    /** The bound data-plane port (the configured one, or the one picked for DATA_PORT = 0). */
    public int dataPort() {
        return dataServer.port();
    }

    public String serverId() {
        return identity.serverId();
    }

    /** The cluster id this server belongs to, or null before its first registration. */
    public String clusterId() {
        return identity.clusterId();
    }

    /** Whether at least one master has accepted the current registration. */
    public boolean isRegistered() {
        return masters.isRegistered();
    }

    /** The masters that have accepted the current registration. */
    public java.util.List<MasterEndpoint> registeredWith() {
        return masters.registeredWith();
    }

    /** The chunk store, for status pages and tests. */
    public ChunkStore store() {
        return store;
    }

    /** Blocks until {@link #close()} has finished. */
    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            masters.close();
            dataServer.close();
            downstream.close();
            disk.shutdown();
            if (!disk.awaitTermination(10, TimeUnit.SECONDS)) {
                disk.shutdownNow();
            }
            store.close();
        } catch (InterruptedException e) {
            disk.shutdownNow();
            Thread.currentThread().interrupt();
        } finally {
            LOG.info("chunk server {} stopped", identity.serverId());
            terminated.countDown();
        }
    }
}
