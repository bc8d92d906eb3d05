package org.mooseng.master.chunks;

/**
 * One copy of a chunk on one server.
 *
 * @param valid the copy has the chunk's current version and its server is alive
 */
public record ReplicaView(ChunkServerView server, int version, boolean valid) {
}
