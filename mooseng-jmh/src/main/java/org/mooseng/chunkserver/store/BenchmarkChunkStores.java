package org.mooseng.chunkserver.store;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Opens a {@link ChunkStore} for the benchmarks, with or without forcing its writes to disk.
 * It lives in the store's package (in the benchmark jar) because the way files are opened is
 * not part of the store's public API.
 */
public final class BenchmarkChunkStores {
    private BenchmarkChunkStores() {
    }

    /**
     * A store in {@code dataDir}; with {@code force} false every {@code FileChannel.force} of the
     * store does nothing, so a write costs what it costs without its fsync (the directory fsync
     * of a newly created chunk file still happens).
     */
    public static ChunkStore open(Path dataDir, boolean force) throws IOException {
        ChannelOpener opener = force ? ChannelOpener.DEFAULT : UnforcedFileChannel::openUnforced;
        return ChunkStore.open(dataDir, opener, ChunkStoreListener.NONE);
    }
}
