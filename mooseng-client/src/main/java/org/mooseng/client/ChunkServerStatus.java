package org.mooseng.client;

import java.time.Instant;

/** One chunk server as the master sees it. */
public record ChunkServerStatus(String serverId, String host, int port, boolean alive, long totalBytes,
                                long freeBytes, long chunks, Instant lastHeartbeat) {
    static ChunkServerStatus from(org.mooseng.proto.ChunkServerInfo s) {
        return new ChunkServerStatus(s.getServerId(), s.getHost(), s.getPort(), s.getAlive(), s.getTotalBytes(),
                s.getFreeBytes(), s.getChunks(), Instant.ofEpochMilli(s.getLastHeartbeatMillis()));
    }
}
