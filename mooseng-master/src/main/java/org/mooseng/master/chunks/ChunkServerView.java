package org.mooseng.master.chunks;

/** A chunk server as the registry last heard of it. */
public record ChunkServerView(String serverId, String host, int port, long totalBytes, long freeBytes,
                              long chunkCount, long lastHeartbeatMillis, boolean alive) {
}
