package org.mooseng.chunkserver.store;

import java.util.Arrays;
import org.mooseng.common.ChunkId;
import org.mooseng.common.ChunkVersion;
import org.mooseng.common.Layout;

/**
 * The decoded header of a chunk file. {@code blockCrcs[i]} is the CRC32C of the whole
 * 64 KiB block i as it reads (bytes past the data length read as zeros), so a block never
 * written carries {@link ChunkFileFormat#ZERO_BLOCK_CRC}.
 */
record ChunkHeader(ChunkId id, ChunkVersion version, long lengthBytes, int[] blockCrcs) {
    ChunkHeader {
        if (blockCrcs.length != Layout.BLOCKS_PER_CHUNK) {
            throw new IllegalArgumentException(id + ": " + blockCrcs.length + " block CRCs");
        }
        if (lengthBytes < 0 || lengthBytes > Layout.CHUNK_SIZE_BYTES) {
            throw new IllegalArgumentException(id + ": length " + lengthBytes + " outside the chunk");
        }
    }

    static ChunkHeader empty(ChunkId id, ChunkVersion version) {
        int[] crcs = new int[Layout.BLOCKS_PER_CHUNK];
        Arrays.fill(crcs, ChunkFileFormat.ZERO_BLOCK_CRC);
        return new ChunkHeader(id, version, 0, crcs);
    }

    ChunkHeader with(ChunkVersion newVersion, long newLengthBytes, int[] newCrcs) {
        return new ChunkHeader(id, newVersion, newLengthBytes, newCrcs);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChunkHeader h && id.equals(h.id) && version.equals(h.version)
                && lengthBytes == h.lengthBytes && Arrays.equals(blockCrcs, h.blockCrcs);
    }

    @Override
    public int hashCode() {
        return id.hashCode() * 31 + Arrays.hashCode(blockCrcs);
    }

    @Override
    public String toString() {
        return id + " " + version + " length " + lengthBytes;
    }
}
