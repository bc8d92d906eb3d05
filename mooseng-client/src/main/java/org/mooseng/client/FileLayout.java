package org.mooseng.client;

import java.util.List;
import org.mooseng.proto.FileInfoReply;

/** Where a file's data lives: its chunks, their versions and replicas. */
public record FileLayout(String path, FileStat stat, List<Chunk> chunks) {
    public FileLayout {
        chunks = List.copyOf(chunks);
    }

    /** One chunk; {@code version} is the one every valid replica must have. */
    public record Chunk(long chunkIndex, long chunkId, int version, List<Replica> replicas) {
        public Chunk {
            replicas = List.copyOf(replicas);
        }
    }

    /** One stored copy of a chunk; {@code valid} is false for a stale or damaged copy. */
    public record Replica(String serverId, String host, int port, int version, boolean valid) {
    }

    static FileLayout from(String path, FileInfoReply r) {
        List<Chunk> chunks = r.getChunksList().stream()
                .map(c -> new Chunk(c.getChunk().getChunkIndex(), c.getChunk().getChunkId(), c.getChunk().getVersion(),
                        c.getReplicasList().stream()
                                .map(p -> new Replica(p.getServerId(), p.getHost(), p.getPort(), p.getVersion(),
                                        p.getValid()))
                                .toList()))
                .toList();
        return new FileLayout(path, FileStat.from(r.getAttr()), chunks);
    }
}
