package org.mooseng.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import org.mooseng.common.Layout;
import org.mooseng.common.Status;
import org.mooseng.protocol.data.DataFrame;

/**
 * Chunk servers in memory behind the client's transport seam: they store written bytes per
 * chunk (sparsely, by 64 KiB block), check versions like real ones, forward writes and syncs
 * down the chain, note which replicas hold writes not yet synced, and can be told to be down,
 * to fail writes or syncs, or to return corrupt data.
 */
final class FakeChunkServers implements ChunkServerTransport {
    /** One chunk replica: its version, its length and its written blocks. */
    static final class StoredChunk {
        int version;
        int length;
        /** Written since the last SYNC: a real replica's bytes may not be on disk yet. */
        volatile boolean unsynced;
        final Map<Integer, byte[]> blocks = new HashMap<>();

        synchronized void write(int offset, byte[] data) {
            for (int i = 0; i < data.length; i++) {
                int at = offset + i;
                blocks.computeIfAbsent(at / Layout.BLOCK_SIZE_BYTES, b -> new byte[Layout.BLOCK_SIZE_BYTES])
                        [at % Layout.BLOCK_SIZE_BYTES] = data[i];
            }
            length = Math.max(length, offset + data.length);
            unsynced = true;
        }

        synchronized byte[] read(int offset, int wanted) {
            int n = Math.max(0, Math.min(wanted, length - offset));
            byte[] out = new byte[n];
            for (int i = 0; i < n; i++) {
                byte[] block = blocks.get((offset + i) / Layout.BLOCK_SIZE_BYTES);
                out[i] = block == null ? 0 : block[(offset + i) % Layout.BLOCK_SIZE_BYTES];
            }
            return out;
        }

        synchronized void truncate(int newLength) {
            for (int at = newLength; at < length; at++) {
                byte[] block = blocks.get(at / Layout.BLOCK_SIZE_BYTES);
                if (block != null) {
                    block[at % Layout.BLOCK_SIZE_BYTES] = 0;
                }
            }
            length = newLength;
        }
    }

    /** Every chunk replica by server ("host:port") and chunk id. */
    final Map<String, Map<Long, StoredChunk>> stored = new ConcurrentHashMap<>();
    final Set<String> down = ConcurrentHashMap.newKeySet();
    final Set<String> corrupt = ConcurrentHashMap.newKeySet();
    /** Writes refused (with the server blamed) this many more times, per server. */
    final Map<String, Integer> failWrites = new ConcurrentHashMap<>();
    /** Syncs refused (with the server blamed) this many more times, per server. */
    final Map<String, Integer> failSyncs = new ConcurrentHashMap<>();
    final List<String> requests = new CopyOnWriteArrayList<>();
    /** When set, replies are held until {@link #releaseHeld} so tests can see what is in flight. */
    volatile boolean holdReplies;
    private final List<Runnable> held = new ArrayList<>();
    private final AtomicLong nextId = new AtomicLong(1);

    StoredChunk chunk(String server, long chunkId) {
        return stored.getOrDefault(server, Map.of()).get(chunkId);
    }

    /** The servers holding writes of {@code chunkId} that no SYNC has covered yet. */
    List<String> unsyncedReplicas(long chunkId) {
        List<String> servers = new ArrayList<>();
        stored.forEach((server, chunks) -> {
            StoredChunk chunk = chunks.get(chunkId);
            if (chunk != null && chunk.unsynced) {
                servers.add(server);
            }
        });
        return servers;
    }

    synchronized int heldCount() {
        return held.size();
    }

    void releaseHeld() {
        List<Runnable> toRun;
        synchronized (this) {
            holdReplies = false;
            toRun = new ArrayList<>(held);
            held.clear();
        }
        toRun.forEach(Runnable::run);
    }

    @Override
    public CompletableFuture<DataFrame> call(DataFrame.Address server, LongFunction<DataFrame> request,
                                             long timeoutMs) {
        DataFrame frame = request.apply(nextId.getAndIncrement());
        requests.add(frame.getClass().getSimpleName() + "@" + server);
        CompletableFuture<DataFrame> result = new CompletableFuture<>();
        Runnable answer = () -> {
            try {
                result.complete(handle(server.toString(), frame));
            } catch (IOException e) {
                result.completeExceptionally(e);
            }
        };
        synchronized (this) {
            if (holdReplies) {
                held.add(answer);
                return result;
            }
        }
        answer.run();
        return result;
    }

    private DataFrame handle(String server, DataFrame frame) throws IOException {
        try {
            if (down.contains(server)) {
                throw new IOException("connection refused: " + server);
            }
            return switch (frame) {
                case DataFrame.Write w -> write(server, w);
                case DataFrame.Read r -> read(server, r);
                case DataFrame.Truncate t -> truncate(server, t);
                case DataFrame.Sync y -> sync(server, y);
                case DataFrame.Hello h -> new DataFrame.Ok(h.requestId());
                case DataFrame.Ok _, DataFrame.Data _, DataFrame.Error _ ->
                        new DataFrame.Error(frame.requestId(), Status.EINVAL.code(), "not a request", "");
            };
        } finally {
            DataFrames.release(frame);
        }
    }

    private DataFrame write(String server, DataFrame.Write w) throws IOException {
        if (failWrites.getOrDefault(server, 0) > 0) {
            failWrites.merge(server, -1, Integer::sum);
            return new DataFrame.Error(w.requestId(), Status.EIO.code(), "disk failed", server);
        }
        if (DataFrames.crc32c(w.data()) != w.crc32c()) {
            return new DataFrame.Error(w.requestId(), Status.CHECKSUM_MISMATCH.code(), "frame crc", "");
        }
        Map<Long, StoredChunk> chunks = stored.computeIfAbsent(server, s -> new ConcurrentHashMap<>());
        StoredChunk chunk = chunks.get(w.chunkId());
        // As the real chunk store: previousVersion (the lease's base) 0 creates the chunk;
        // otherwise the replica must be between the base and the frame's version.
        if (chunk == null && w.previousVersion() != 0) {
            return new DataFrame.Error(w.requestId(), Status.ENOENT.code(), "no replica to raise", server);
        }
        boolean created = chunk == null;
        if (created) {
            chunk = new StoredChunk();
            chunk.version = w.version();
            chunks.put(w.chunkId(), chunk);
        }
        synchronized (chunk) {
            DataFrame.Error refused = refuse(server, w.requestId(), chunk.version, w.version(), w.previousVersion());
            if (refused != null) {
                return refused;
            }
            byte[] bytes = new byte[w.data().readableBytes()];
            w.data().getBytes(w.data().readerIndex(), bytes);
            chunk.write(w.offset(), bytes);
            chunk.version = w.version();
            if (created) {
                chunk.unsynced = false; // as the real store: the write that creates a replica is forced
            }
        }
        if (w.chain().isEmpty()) {
            return new DataFrame.Ok(w.requestId(), created);
        }
        DataFrame.Address next = w.chain().getFirst();
        List<DataFrame.Address> rest = w.chain().subList(1, w.chain().size());
        DataFrame downstream;
        try {
            downstream = handle(next.toString(), new DataFrame.Write(0, w.chunkId(), w.version(), w.previousVersion(),
                    w.offset(), rest, w.crc32c(), w.data().retainedDuplicate()));
        } catch (IOException e) {
            return new DataFrame.Error(w.requestId(), Status.EIO.code(), "downstream lost", next.toString());
        }
        return switch (downstream) {
            case DataFrame.Error e -> new DataFrame.Error(w.requestId(), e.status(), e.message(), e.failedServer());
            case DataFrame.Ok ok -> new DataFrame.Ok(w.requestId(), created && ok.durable());
            default -> new DataFrame.Error(w.requestId(), Status.EIO.code(), "unexpected reply", next.toString());
        };
    }

    /** ESTALE for a copy newer than the frame (the lease is old), EIO for one older than its base. */
    private static DataFrame.Error refuse(String server, long requestId, int held, int version, int base) {
        if (Integer.compareUnsigned(held, version) > 0) {
            return new DataFrame.Error(requestId, Status.ESTALE.code(), "version " + held, server);
        }
        if (Integer.compareUnsigned(held, base) < 0) {
            return new DataFrame.Error(requestId, Status.EIO.code(), "version " + held + " below base " + base, server);
        }
        return null;
    }

    private DataFrame read(String server, DataFrame.Read r) {
        StoredChunk chunk = chunk(server, r.chunkId());
        if (chunk == null) {
            return new DataFrame.Error(r.requestId(), Status.ENOENT.code(), "no such chunk", server);
        }
        if (Integer.compareUnsigned(chunk.version, r.oldestVersion()) < 0
                || Integer.compareUnsigned(chunk.version, r.version()) > 0) {
            return new DataFrame.Error(r.requestId(), Status.ESTALE.code(), "version " + chunk.version, server);
        }
        ByteBuf data = Unpooled.wrappedBuffer(chunk.read(r.offset(), r.length()));
        int crc = DataFrames.crc32c(data);
        return new DataFrame.Data(r.requestId(), corrupt.contains(server) ? crc ^ 1 : crc, data);
    }

    private DataFrame truncate(String server, DataFrame.Truncate t) throws IOException {
        StoredChunk chunk = chunk(server, t.chunkId());
        if (chunk == null) {
            return new DataFrame.Error(t.requestId(), Status.ENOENT.code(), "no such chunk", server);
        }
        DataFrame.Error refused = refuse(server, t.requestId(), chunk.version, t.version(), t.previousVersion());
        if (refused != null) {
            return refused;
        }
        chunk.truncate(t.length());
        chunk.version = t.version();
        if (!t.chain().isEmpty()) {
            DataFrame.Address next = t.chain().getFirst();
            DataFrame downstream = handle(next.toString(), new DataFrame.Truncate(0, t.chunkId(), t.version(),
                    t.previousVersion(), t.length(), t.chain().subList(1, t.chain().size())));
            if (downstream instanceof DataFrame.Error e) {
                return e;
            }
        }
        return new DataFrame.Ok(t.requestId());
    }

    private DataFrame sync(String server, DataFrame.Sync y) throws IOException {
        if (failSyncs.getOrDefault(server, 0) > 0) {
            failSyncs.merge(server, -1, Integer::sum);
            return new DataFrame.Error(y.requestId(), Status.EIO.code(), "fsync failed", server);
        }
        StoredChunk chunk = chunk(server, y.chunkId());
        if (chunk == null) {
            return new DataFrame.Error(y.requestId(), Status.ENOENT.code(), "no such chunk", server);
        }
        synchronized (chunk) {
            DataFrame.Error refused = refuse(server, y.requestId(), chunk.version, y.version(), y.previousVersion());
            if (refused != null) {
                return refused;
            }
            chunk.version = y.version();
            chunk.unsynced = false;
        }
        if (!y.chain().isEmpty()) {
            DataFrame.Address next = y.chain().getFirst();
            DataFrame downstream;
            try {
                downstream = handle(next.toString(), new DataFrame.Sync(0, y.chunkId(), y.version(),
                        y.previousVersion(), y.chain().subList(1, y.chain().size())));
            } catch (IOException e) {
                return new DataFrame.Error(y.requestId(), Status.EIO.code(), "downstream lost", next.toString());
            }
            if (downstream instanceof DataFrame.Error e) {
                return new DataFrame.Error(y.requestId(), e.status(), e.message(), e.failedServer());
            }
        }
        return new DataFrame.Ok(y.requestId(), true);
    }

    @Override
    public void close() {
        releaseHeld();
    }
}
