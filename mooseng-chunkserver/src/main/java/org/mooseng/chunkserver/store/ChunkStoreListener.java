package org.mooseng.chunkserver.store;

import org.mooseng.common.ChunkId;
import org.mooseng.common.ChunkVersion;

/**
 * Told about every change of the replica set, so the master can be kept informed. Called
 * while the chunk's lock is held: implementations only record and return.
 */
public interface ChunkStoreListener {
    /** A replica was created or its version changed. */
    void changed(StoredChunk chunk);

    /** A replica is gone: deleted, or found damaged and moved aside. */
    void removed(ChunkId id, ChunkVersion version, boolean damaged);

    ChunkStoreListener NONE = new ChunkStoreListener() {
        @Override
        public void changed(StoredChunk chunk) {
        }

        @Override
        public void removed(ChunkId id, ChunkVersion version, boolean damaged) {
        }
    };
}
