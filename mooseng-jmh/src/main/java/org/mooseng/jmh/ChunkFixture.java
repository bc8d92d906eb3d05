package org.mooseng.jmh;

import java.nio.ByteBuffer;
import java.util.Random;
import org.mooseng.chunkserver.store.ChunkStore;
import org.mooseng.common.ChunkId;
import org.mooseng.common.ChunkVersion;
import org.mooseng.common.Layout;
import org.mooseng.common.StatusException;
import org.mooseng.protocol.data.DataFrame;

/** What the chunk store benchmarks share: the version they write and whole chunks of random bytes. */
final class ChunkFixture {
    /** The base version of a write that creates a replica. */
    static final ChunkVersion BASE = new ChunkVersion(0);
    static final ChunkVersion VERSION = new ChunkVersion(1);
    static final long CHUNK_BYTES = Layout.CHUNK_SIZE_BYTES;

    private ChunkFixture() {
    }

    static ByteBuffer randomBytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return ByteBuffer.wrap(bytes);
    }

    /** Writes the whole chunk, one 4 MiB frame at a time, creating it at {@link #VERSION}. */
    static void fill(ChunkStore store, ChunkId chunk) throws StatusException {
        ByteBuffer frame = randomBytes(DataFrame.MAX_DATA_BYTES, chunk.value());
        for (long offset = 0; offset < CHUNK_BYTES; offset += frame.capacity()) {
            store.write(chunk, VERSION, BASE, offset, frame.rewind());
        }
    }
}
