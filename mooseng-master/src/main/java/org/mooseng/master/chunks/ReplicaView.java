package org.mooseng.master.chunks;

/**
 * One copy of a chunk on one server.
 *
 * @param valid the copy holds the chunk's current data (its version, or one that missed only the
 *     version's last raise) and its server is alive
 */
public record ReplicaView(ChunkServerView server, int version, boolean valid) {
}
