package org.mooseng.meta;

import java.nio.ByteBuffer;
import org.mooseng.proto.ChunkRef;

/** The chunk at one index of a file: id and current version. */
record ChunkSlot(long chunkId, int version) {
    private static final int ENCODED_BYTES = Long.BYTES + Integer.BYTES;

    byte[] encode() {
        return ByteBuffer.allocate(ENCODED_BYTES).putLong(chunkId).putInt(version).array();
    }

    static ChunkSlot decode(byte[] bytes) {
        if (bytes.length != ENCODED_BYTES) {
            throw new IllegalStateException("chunk slot value has " + bytes.length + " bytes, expected "
                    + ENCODED_BYTES);
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        return new ChunkSlot(buffer.getLong(), buffer.getInt());
    }

    ChunkRef toRef(long chunkIndex, int previousVersion) {
        return ChunkRef.newBuilder()
                .setChunkId(chunkId)
                .setVersion(version)
                .setPreviousVersion(previousVersion)
                .setChunkIndex(chunkIndex)
                .build();
    }
}
