package org.mooseng.master.chunks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.LongSupplier;
import org.mooseng.meta.ChunkRaise;
import org.mooseng.proto.ChunkReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the replicas of each chunk are: chunk servers (address, space, liveness) and, per
 * chunk, which server holds which version. Soft state only, kept in memory and rebuilt from
 * registrations after a restart or a change of leader. It never holds a chunk's current
 * version: callers take that from the namespace ({@code NamespaceReader.chunk}) when they
 * judge validity, so the heap grows with the replicas servers report, not with the namespace.
 * Every replica whose fate may have changed is queued for review on its server, and
 * {@link ReplicaReviewer} decides on deletions there.
 *
 * <p>Methods are synchronized: calls come from heartbeats and chunk-level RPCs, a few hundred
 * per second at most, and one lock keeps servers, replicas and review queues consistent.
 */
public final class ChunkRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkRegistry.class);

    private final LongSupplier clockMillis;
    private final long timeoutMs;
    private final Map<String, ServerState> servers = new LinkedHashMap<>();
    /** Per chunk, the version each holding server reported (or was given by a write chain). */
    private final Map<Long, Map<String, Integer>> chunks = new HashMap<>();

    /** When this registry was created: the master's start, when it knew of no server. */
    private final long startedMillis;

    public ChunkRegistry(LongSupplier clockMillis, long timeoutMs) {
        this.clockMillis = clockMillis;
        this.timeoutMs = timeoutMs;
        this.startedMillis = clockMillis.getAsLong();
    }

    /**
     * Whether a live chunk server may still be unknown here: for one server timeout after the
     * master started, a server that is up may not have registered yet (it retries a master
     * that was down with a back-off), so "no server holds this chunk" is no answer yet. After
     * that, a server that never registered would count as dead anyway.
     */
    public boolean stillListening() {
        return clockMillis.getAsLong() - startedMillis < timeoutMs;
    }

    private static final class ServerState {
        final String serverId;
        String host;
        int port;
        long totalBytes;
        long freeBytes;
        long lastHeartbeatMillis;
        long damagedReplicas;
        final Set<Long> held = new LinkedHashSet<>();
        final Set<Long> toReview = new LinkedHashSet<>();
        /** Versions a write chain or truncation gave this server, not yet confirmed by a report of it. */
        final Map<Long, Integer> chainVersions = new HashMap<>();

        ServerState(String serverId) {
            this.serverId = serverId;
        }
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

    /**
     * A heartbeat; false for a server this registry does not know (it must register again).
     * {@code deleted} replicas were removed on purpose and are simply forgotten; {@code lost}
     * ones were found damaged or missing, which is counted and logged as damage.
     */
    public synchronized boolean heartbeat(String serverId, long totalBytes, long freeBytes,
                                          Collection<ChunkReport> changed, Collection<ChunkReport> deleted,
                                          Collection<ChunkReport> lost) {
        ServerState server = servers.get(serverId);
        if (server == null) {
            return false;
        }
        server.totalBytes = totalBytes;
        server.freeBytes = freeBytes;
        server.lastHeartbeatMillis = clockMillis.getAsLong();
        for (ChunkReport report : changed) {
            Integer given = server.chainVersions.get(report.getChunkId());
            if (given != null) {
                if (Integer.compareUnsigned(report.getVersion(), given) < 0) {
                    // Collected before the write session reached the server, delivered after the
                    // chain was recorded: taking it would make the new copy look stale.
                    continue;
                }
                server.chainVersions.remove(report.getChunkId());
            }
            putReplica(server, report.getChunkId(), report.getVersion());
            server.toReview.add(report.getChunkId());
            // If this copy is valid, older copies elsewhere may now be removable; the reviewer
            // checks the namespace's version before deleting anything.
            queueOlderHolders(report.getChunkId(), report.getVersion(), serverId);
        }
        for (ChunkReport report : deleted) {
            removeReplica(server, report.getChunkId());
        }
        for (ChunkReport report : lost) {
            removeReplica(server, report.getChunkId());
        }
        if (!lost.isEmpty()) {
            server.damagedReplicas += lost.size();
            ChunkReport first = lost.iterator().next();
            LOG.warn("chunk server {} reported {} damaged or missing replicas (first: chunk {} v{})", serverId,
                    lost.size(), String.format("%016X", first.getChunkId()),
                    Integer.toUnsignedString(first.getVersion()));
        }
        return true;
    }

    /**
     * A write session (or truncation) moved a chunk to {@code version} on exactly these servers:
     * they become its valid holders so the next reads go to them; other holders become stale.
     */
    public synchronized void recordChain(long chunkId, int version, List<String> serverIds) {
        for (String serverId : serverIds) {
            ServerState server = servers.get(serverId);
            if (server != null) {
                putReplica(server, chunkId, version);
                server.chainVersions.put(chunkId, version);
            }
        }
        queueHolders(chunkId, serverIds);
    }

    /** Chunks no file refers to any more: every copy is queued for review (and deletion). */
    public synchronized void release(Collection<Long> chunkIds) {
        for (long chunkId : chunkIds) {
            queueHolders(chunkId, List.of());
        }
    }

    /** Queues every known replica for review, e.g. when this master becomes the leader. */
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

    /** The version a server holds of a chunk, if it holds one. */
    public synchronized OptionalInt versionOn(String serverId, long chunkId) {
        Map<String, Integer> holders = chunks.get(chunkId);
        Integer version = holders == null ? null : holders.get(serverId);
        return version == null ? OptionalInt.empty() : OptionalInt.of(version);
    }

    /** Every known copy of a chunk whose namespace records no raise: valid only at {@code currentVersion}. */
    public List<ReplicaView> replicas(long chunkId, int currentVersion) {
        return replicas(chunkId, currentVersion, ChunkRaise.NONE);
    }

    /**
     * Every known copy of a chunk. Validity is judged against {@code currentVersion} and the
     * record of its last raise, as the namespace holds them now (the caller looks them up
     * there): a copy is valid when its server is alive and it holds the chunk's current data.
     */
    public synchronized List<ReplicaView> replicas(long chunkId, int currentVersion, ChunkRaise raise) {
        Map<String, Integer> holders = chunks.get(chunkId);
        if (holders == null) {
            return List.of();
        }
        long now = clockMillis.getAsLong();
        List<ReplicaView> out = new ArrayList<>(holders.size());
        for (Map.Entry<String, Integer> e : holders.entrySet()) {
            ChunkServerView server = view(servers.get(e.getKey()), now);
            out.add(new ReplicaView(server, e.getValue(),
                    server.alive() && raise.holdsCurrentData(e.getKey(), e.getValue(), currentVersion)));
        }
        return out;
    }

    /** Replicas a server has reported damaged or missing since this master started. */
    public synchronized long damagedReplicas(String serverId) {
        ServerState server = servers.get(serverId);
        return server == null ? 0 : server.damagedReplicas;
    }

    public synchronized boolean isAlive(String serverId) {
        ServerState server = servers.get(serverId);
        return server != null && isAlive(server, clockMillis.getAsLong());
    }

    public synchronized List<ChunkServerView> servers() {
        long now = clockMillis.getAsLong();
        return servers.values().stream().map(s -> view(s, now)).toList();
    }

    public synchronized Optional<ChunkServerView> server(String serverId) {
        ServerState server = servers.get(serverId);
        return server == null ? Optional.empty() : Optional.of(view(server, clockMillis.getAsLong()));
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
        chunks.computeIfAbsent(chunkId, id -> new LinkedHashMap<>()).put(server.serverId, version);
        server.held.add(chunkId);
    }

    private void removeReplica(ServerState server, long chunkId) {
        server.held.remove(chunkId);
        server.chainVersions.remove(chunkId);
        server.toReview.remove(chunkId);
        Map<String, Integer> holders = chunks.get(chunkId);
        if (holders != null) {
            holders.remove(server.serverId);
            if (holders.isEmpty()) {
                chunks.remove(chunkId);
            }
        }
    }

    /** Queues every holder of the chunk but {@code exceptServerIds}. */
    private void queueHolders(long chunkId, Collection<String> exceptServerIds) {
        Map<String, Integer> holders = chunks.get(chunkId);
        if (holders == null) {
            return;
        }
        for (String holder : holders.keySet()) {
            if (!exceptServerIds.contains(holder)) {
                queue(holder, chunkId);
            }
        }
    }

    /** Queues the holders of a version older than {@code version}: the only ones a copy at it can make stale. */
    private void queueOlderHolders(long chunkId, int version, String exceptServerId) {
        Map<String, Integer> holders = chunks.get(chunkId);
        if (holders == null) {
            return;
        }
        for (Map.Entry<String, Integer> e : holders.entrySet()) {
            if (!e.getKey().equals(exceptServerId) && Integer.compareUnsigned(e.getValue(), version) < 0) {
                queue(e.getKey(), chunkId);
            }
        }
    }

    private void queue(String serverId, long chunkId) {
        ServerState server = servers.get(serverId);
        if (server != null) {
            server.toReview.add(chunkId);
        }
    }
}
