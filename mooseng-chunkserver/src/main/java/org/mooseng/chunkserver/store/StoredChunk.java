package org.mooseng.chunkserver.store;

import org.mooseng.common.ChunkId;
import org.mooseng.common.ChunkVersion;

/** What the store knows about one replica it holds. */
public record StoredChunk(ChunkId id, ChunkVersion version, long lengthBytes) {
    @Override
    public String toString() {
        return id + " " + version + " (" + lengthBytes + " bytes)";
    }
}
