package org.mooseng.meta;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.rocksdb.WriteBatch;

/**
 * The scalar state kept next to the namespace: id allocators, the applied index, the cluster
 * id and running statistics (maintained on every change so that stats never scan).
 */
record Counters(
        long appliedIndex,
        long nextInode,
        long nextChunk,
        String clusterId,
        long inodes,
        long files,
        long directories,
        long chunks,
        long totalFileBytes) {

    static final long FIRST_INODE = 2;
    static final long FIRST_CHUNK = 1;

    private static final byte[] APPLIED_INDEX = key("applied_index");
    private static final byte[] NEXT_INODE = key("next_inode");
    private static final byte[] NEXT_CHUNK = key("next_chunk");
    private static final byte[] CLUSTER_ID = key("cluster_id");
    private static final byte[] STATS = key("stats");

    static Counters empty() {
        return new Counters(0, FIRST_INODE, FIRST_CHUNK, "", 0, 0, 0, 0, 0);
    }

    static Counters load(RocksStore store) {
        byte[] stats = store.get(Family.COUNTERS, STATS);
        byte[] cluster = store.get(Family.COUNTERS, CLUSTER_ID);
        ByteBuffer s = stats == null ? ByteBuffer.allocate(5 * Long.BYTES) : ByteBuffer.wrap(stats);
        return new Counters(
                readLong(store, APPLIED_INDEX, 0),
                readLong(store, NEXT_INODE, FIRST_INODE),
                readLong(store, NEXT_CHUNK, FIRST_CHUNK),
                cluster == null ? "" : new String(cluster, StandardCharsets.UTF_8),
                s.getLong(), s.getLong(), s.getLong(), s.getLong(), s.getLong());
    }

    /** Writes every counter that differs from {@code before}; the applied index always. */
    void writeChanges(RocksStore store, WriteBatch batch, Counters before) {
        store.put(batch, Family.COUNTERS, APPLIED_INDEX, Keys.ofLong(appliedIndex));
        if (nextInode != before.nextInode) {
            store.put(batch, Family.COUNTERS, NEXT_INODE, Keys.ofLong(nextInode));
        }
        if (nextChunk != before.nextChunk) {
            store.put(batch, Family.COUNTERS, NEXT_CHUNK, Keys.ofLong(nextChunk));
        }
        if (!clusterId.equals(before.clusterId)) {
            store.put(batch, Family.COUNTERS, CLUSTER_ID, clusterId.getBytes(StandardCharsets.UTF_8));
        }
        if (inodes != before.inodes || files != before.files || directories != before.directories
                || chunks != before.chunks || totalFileBytes != before.totalFileBytes) {
            store.put(batch, Family.COUNTERS, STATS, ByteBuffer.allocate(5 * Long.BYTES)
                    .putLong(inodes).putLong(files).putLong(directories).putLong(chunks).putLong(totalFileBytes)
                    .array());
        }
    }

    Counters withAppliedIndex(long index) {
        return new Counters(index, nextInode, nextChunk, clusterId, inodes, files, directories, chunks,
                totalFileBytes);
    }

    Counters withNextInode(long next) {
        return new Counters(appliedIndex, next, nextChunk, clusterId, inodes, files, directories, chunks,
                totalFileBytes);
    }

    Counters withNextChunk(long next) {
        return new Counters(appliedIndex, nextInode, next, clusterId, inodes, files, directories, chunks,
                totalFileBytes);
    }

    Counters withClusterId(String id) {
        return new Counters(appliedIndex, nextInode, nextChunk, id, inodes, files, directories, chunks,
                totalFileBytes);
    }

    Counters plusStats(long inodeDelta, long fileDelta, long directoryDelta, long chunkDelta, long bytesDelta) {
        return new Counters(appliedIndex, nextInode, nextChunk, clusterId, inodes + inodeDelta, files + fileDelta,
                directories + directoryDelta, chunks + chunkDelta, totalFileBytes + bytesDelta);
    }

    private static long readLong(RocksStore store, byte[] key, long absent) {
        byte[] value = store.get(Family.COUNTERS, key);
        return value == null ? absent : Keys.longAt(value, 0);
    }

    private static byte[] key(String name) {
        return name.getBytes(StandardCharsets.UTF_8);
    }
}
