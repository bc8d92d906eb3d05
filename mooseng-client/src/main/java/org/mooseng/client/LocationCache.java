package org.mooseng.client;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.mooseng.proto.ReadChunkReply;

/**
 * The chunk locations of one open file as the master last gave them (chunk id, version,
 * replicas, file size), reused for up to {@link #TTL_MS} ms so that reads of a chunk do not
 * each ask the master first. A handle sees what other clients change in the file within that
 * time, as the mount sees attributes (its attribute timeout is one second too); a new open
 * starts with an empty cache, and the handle's own writes clear it. A read that no listed
 * replica could serve asks the master again at once ({@link ChunkReader}).
 */
final class LocationCache {
    static final long TTL_MS = 1_000;

    private record Entry(ReadChunkReply reply, long fetchedNanos) {
    }

    private final LongSupplier nanoTime;
    /** By chunk index; guarded by this (segments of the read-ahead are fetched concurrently). */
    private final Map<Long, Entry> byChunk = new HashMap<>();
    /** Bumped by every clear. */
    private long generation;

    LocationCache() {
        this(System::nanoTime);
    }

    LocationCache(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** The location of the chunk when known and fresh, else null. */
    synchronized ReadChunkReply get(long chunkIndex) {
        Entry entry = byChunk.get(chunkIndex);
        if (entry == null) {
            return null;
        }
        if (nanoTime.getAsLong() - entry.fetchedNanos() > TimeUnit.MILLISECONDS.toNanos(TTL_MS)) {
            byChunk.remove(chunkIndex);
            return null;
        }
        return entry.reply();
    }

    /** The file size the freshest location told, or -1 when no location is fresh. */
    synchronized long fileSize() {
        long newest = Long.MIN_VALUE;
        long size = -1;
        long now = nanoTime.getAsLong();
        for (Entry entry : byChunk.values()) {
            if (now - entry.fetchedNanos() <= TimeUnit.MILLISECONDS.toNanos(TTL_MS) && entry.fetchedNanos() > newest) {
                newest = entry.fetchedNanos();
                size = entry.reply().getFileSize();
            }
        }
        return size;
    }

    /** The generation to pass to {@link #put}: read it before asking the master. */
    synchronized long generation() {
        return generation;
    }

    /**
     * Keeps what the master answered, unless the cache was cleared since {@code generation}
     * was read: an answer from before the handle's own write must not outlive it.
     */
    synchronized void put(long chunkIndex, ReadChunkReply reply, long generation) {
        if (generation == this.generation) {
            byChunk.put(chunkIndex, new Entry(reply, nanoTime.getAsLong()));
        }
    }

    synchronized void clear() {
        byChunk.clear();
        generation++;
    }
}
