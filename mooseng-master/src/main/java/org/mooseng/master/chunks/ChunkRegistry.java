package org.mooseng.master.chunks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.LongSupplier;
import org.mooseng.proto.ChunkReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the replicas of each chunk are: chunk servers (address, space, liveness) and, per
 * chunk, which server holds which version. Kept in memory only; after a restart or a change
 * of leader it is rebuilt from registrations. Every replica whose fate may have changed is
 * queued for review on its server, and {@link ReplicaReviewer} decides on deletions there.
 *
 * <p>Methods are synchronized: calls come from heartbeats and chunk-level RPCs, a few hundred
 * per second at most, and one lock keeps servers, replicas and review queues consistent.
 */
public final class ChunkRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkRegistry.class);
    private static final int UNKNOWN_VERSION = -1;

    private final LongSupplier clockMillis;
    private final long timeoutMs;
    private final Map<String, ServerState> servers = new LinkedHashMap<>();
    private final Map<Long, ChunkState> chunks = new HashMap<>();

    public ChunkRegistry(LongSupplier clockMillis, long timeoutMs) {
        this.clockMillis = clockMillis;
        this.timeoutMs = timeoutMs;
    }

    private static final class ServerState {
        final String serverId;
        String host;
        int port;
        long totalBytes;
        long freeBytes;
        long lastHeartbeatMillis;
        final Set<Long> held = new LinkedHashSet<>();
        final Set<Long> toReview = new LinkedHashSet<>();

        ServerState(String serverId) {
            this.serverId = serverId;
        }
    }

    private static final class ChunkState {
        int currentVersion = UNKNOWN_VERSION;
        final Map<String, Integer> versionByServer = new LinkedHashMap<>();
    }

    /** A (re)registration: the server's full chunk list replaces what was known of it. */
    public synchronized void register(String serverId, String host, int port, long totalBytes, long freeBytes,
                                      Collection<ChunkReport> heldChunks) {
        ServerState server = servers.get(serverId);
        boolean known = server != null;
        if (server == null) {
            server = new ServerState(serverId);
            servers.put(serverId, server);
        }
        for (long chunkId : List.copyOf(server.held)) {
            removeReplica(server, chunkId);
        }
        server.toReview.clear();
        server.host = host;
        server.port = port;
        server.totalBytes = totalBytes;
        server.freeBytes = freeBytes;
        server.lastHeartbeatMillis = clockMillis.getAsLong();
        for (ChunkReport report : heldChunks) {
            putReplica(server, report.getChunkId(), report.getVersion());
            server.toReview.add(report.getChunkId());
        }
        LOG.info("chunk server {} {} at {}:{} with {} chunks", serverId, known ? "re-registered" : "registered",
                host, port, heldChunks.size());
    }

    /** A heartbeat; false for a server this registry does not know (it must register again). */
    public synchronized boolean heartbeat(String serverId, long totalBytes, long freeBytes,
                                          Collection<ChunkReport> changed, Collection<ChunkReport> lost) {
        ServerState server = servers.get(serverId);
        if (server == null) {
            return false;
        }
        server.totalBytes = totalBytes;
        server.freeBytes = freeBytes;
        server.lastHeartbeatMillis = clockMillis.getAsLong();
        for (ChunkReport report : changed) {
            putReplica(server, report.getChunkId(), report.getVersion());
            server.toReview.add(report.getChunkId());
            ChunkState chunk = chunks.get(report.getChunkId());
            if (chunk != null && report.getVersion() == chunk.currentVersion) {
                // A new valid copy may make other servers' old copies removable.
                queueOtherHolders(chunk, report.getChunkId(), serverId);
            }
        }
        for (ChunkReport report : lost) {
            removeReplica(server, report.getChunkId());
        }
        return true;
    }

    /** The namespace's current version of a chunk, learned by the leader from its store. */
    public synchronized void learnVersion(long chunkId, int version) {
        ChunkState chunk = chunks.computeIfAbsent(chunkId, id -> new ChunkState());
        if (chunk.currentVersion != version) {
            chunk.currentVersion = version;
            queueOtherHolders(chunk, chunkId, null);
        }
    }

    /**
     * A write session (or truncation) moved a chunk to {@code version} on exactly these servers:
     * they become its valid holders so the next reads go to them; other holders become stale.
     */
    public synchronized void recordChain(long chunkId, int version, List<String> serverIds) {
        ChunkState chunk = chunks.computeIfAbsent(chunkId, id -> new ChunkState());
        chunk.currentVersion = version;
        for (String serverId : serverIds) {
            ServerState server = servers.get(serverId);
            if (server != null) {
                putReplica(server, chunkId, version);
            }
        }
        queueOtherHolders(chunk, chunkId, null);
    }

    /** Chunks no file refers to any more: every copy is queued for review (and deletion). */
    public synchronized void release(Collection<Long> chunkIds) {
        for (long chunkId : chunkIds) {
            ChunkState chunk = chunks.get(chunkId);
            if (chunk != null) {
                chunk.currentVersion = UNKNOWN_VERSION;
                queueOtherHolders(chunk, chunkId, null);
            }
        }
    }

    /** Queues every known replica for review, e.g. once a new leader has learned all versions. */
    public synchronized void reviewAll() {
        for (ServerState server : servers.values()) {
            server.toReview.addAll(server.held);
        }
    }

    /** Removes up to {@code max} chunk ids from a server's review queue. */
    public synchronized List<Long> takeForReview(String serverId, int max) {
        ServerState server = servers.get(serverId);
        if (server == null) {
            return List.of();
        }
        List<Long> taken = new ArrayList<>(Math.min(max, server.toReview.size()));
        Iterator<Long> it = server.toReview.iterator();
        while (it.hasNext() && taken.size() < max) {
            taken.add(it.next());
            it.remove();
        }
        return taken;
    }

    /** Forgets one copy (its deletion has been ordered). */
    public synchronized void dropReplica(String serverId, long chunkId) {
        ServerState server = servers.get(serverId);
        if (server != null) {
            removeReplica(server, chunkId);
        }
    }

    public synchronized OptionalInt currentVersion(long chunkId) {
        ChunkState chunk = chunks.get(chunkId);
        return chunk == null || chunk.currentVersion == UNKNOWN_VERSION
                ? OptionalInt.empty() : OptionalInt.of(chunk.currentVersion);
    }

    /** The version a server holds of a chunk, if it holds one. */
    public synchronized OptionalInt versionOn(String serverId, long chunkId) {
        ChunkState chunk = chunks.get(chunkId);
        Integer version = chunk == null ? null : chunk.versionByServer.get(serverId);
        return version == null ? OptionalInt.empty() : OptionalInt.of(version);
    }

    /**
     * Every known copy of a chunk. Validity is judged against {@code currentVersion}, the
     * version the namespace holds now.
     */
    public synchronized List<ReplicaView> replicas(long chunkId, int currentVersion) {
        ChunkState chunk = chunks.get(chunkId);
        if (chunk == null) {
            return List.of();
        }
        long now = clockMillis.getAsLong();
        List<ReplicaView> out = new ArrayList<>(chunk.versionByServer.size());
        for (Map.Entry<String, Integer> e : chunk.versionByServer.entrySet()) {
            ChunkServerView server = view(servers.get(e.getKey()), now);
            out.add(new ReplicaView(server, e.getValue(), server.alive() && e.getValue() == currentVersion));
        }
        return out;
    }

    public synchronized boolean isAlive(String serverId) {
        ServerState server = servers.get(serverId);
        return server != null && isAlive(server, clockMillis.getAsLong());
    }

    public synchronized List<ChunkServerView> servers() {
        long now = clockMillis.getAsLong();
        return servers.values().stream().map(s -> view(s, now)).toList();
    }

    public synchronized List<ChunkServerView> aliveServers() {
        long now = clockMillis.getAsLong();
        return servers.values().stream().filter(s -> isAlive(s, now)).map(s -> view(s, now)).toList();
    }

    private boolean isAlive(ServerState server, long now) {
        return now - server.lastHeartbeatMillis <= timeoutMs;
    }

    private ChunkServerView view(ServerState s, long now) {
        return new ChunkServerView(s.serverId, s.host, s.port, s.totalBytes, s.freeBytes, s.held.size(),
                s.lastHeartbeatMillis, isAlive(s, now));
    }

    private void putReplica(ServerState server, long chunkId, int version) {
        chunks.computeIfAbsent(chunkId, id -> new ChunkState()).versionByServer.put(server.serverId, version);
        server.held.add(chunkId);
    }

    private void removeReplica(ServerState server, long chunkId) {
        server.held.remove(chunkId);
        server.toReview.remove(chunkId);
        ChunkState chunk = chunks.get(chunkId);
        if (chunk != null) {
            chunk.versionByServer.remove(server.serverId);
            if (chunk.versionByServer.isEmpty() && chunk.currentVersion == UNKNOWN_VERSION) {
                chunks.remove(chunkId);
            }
        }
    }

    private void queueOtherHolders(ChunkState chunk, long chunkId, String exceptServerId) {
        for (String holder : chunk.versionByServer.keySet()) {
            if (!holder.equals(exceptServerId)) {
                ServerState server = servers.get(holder);
                if (server != null) {
                    server.toReview.add(chunkId);
                }
            }
        }
    }
}
