package org.mooseng.chunkserver.master;

import java.util.ArrayList;
import java.util.List;
import org.mooseng.chunkserver.store.ChunkStore;
import org.mooseng.chunkserver.store.ChunkStoreListener;
import org.mooseng.chunkserver.store.StoredChunk;
import org.mooseng.common.ChunkId;
import org.mooseng.common.ChunkVersion;

/**
 * The chunk server's links to every master of the group, one {@link MasterConnection} each.
 * Every master, follower or leader, gets the full registration and every heartbeat, so the
 * replica registry of whichever master is elected next is already complete. As the store's
 * listener it hands each replica change to every link's own tracker: a change one master has
 * heard of stays pending for a master that is down until that one answers again.
 *
 * <p>Built before the store opens (the store needs its listener), started once it is open.
 */
public final class MasterLinks implements ChunkStoreListener, AutoCloseable {
    private final List<MasterEndpoint> masters;
    private final List<ChunkChangeTracker> trackers;
    private final List<MasterConnection> connections = new ArrayList<>();

    public MasterLinks(List<MasterEndpoint> masters) {
        if (masters.isEmpty()) {
            throw new IllegalArgumentException("a chunk server needs at least one master");
        }
        this.masters = List.copyOf(masters);
        this.trackers = masters.stream().map(m -> new ChunkChangeTracker()).toList();
    }

    /** Starts talking to every master, each on its own thread; returns at once. */
    public synchronized void start(String advertiseHost, int dataPort, long heartbeatIntervalMs, long callTimeoutMs,
                                   long retryMaxMs, ServerIdentity identity, ChunkStore store) {
        if (!connections.isEmpty()) {
            throw new IllegalStateException("master links already started");
        }
        for (int i = 0; i < masters.size(); i++) {
            connections.add(MasterConnection.start(new MasterConnection.Settings(masters.get(i), advertiseHost,
                    dataPort, heartbeatIntervalMs, callTimeoutMs, retryMaxMs), identity, store, trackers.get(i)));
        }
    }

    public List<MasterEndpoint> masters() {
        return masters;
    }

    /** Whether at least one master has accepted this server's current registration. */
    public synchronized boolean isRegistered() {
        return connections.stream().anyMatch(MasterConnection::isRegistered);
    }

    /** The masters that have accepted this server's current registration. */
    public synchronized List<MasterEndpoint> registeredWith() {
        return connections.stream().filter(MasterConnection::isRegistered).map(MasterConnection::master).toList();
    }

    @Override
    public void changed(StoredChunk chunk) {
        for (ChunkChangeTracker tracker : trackers) {
            tracker.changed(chunk);
        }
    }

    @Override
    public void removed(ChunkId id, ChunkVersion version, boolean damaged) {
        for (ChunkChangeTracker tracker : trackers) {
            tracker.removed(id, version, damaged);
        }
    }

    @Override
    public synchronized void close() {
        // Closed one after the other: each waits a few seconds at most for its thread and channel.
        for (MasterConnection connection : connections) {
            connection.close();
        }
    }
}
