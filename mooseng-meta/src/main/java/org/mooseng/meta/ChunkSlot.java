package org.mooseng.meta;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.mooseng.proto.ChunkRef;

/**
 * The chunk at one index of a file: id, current version and the record of its last raise.
 *
 * <p>Encoding: chunk id (8), version (4); then, when a raise is recorded, floor version (4),
 * truncated length (8, -1 for a write), chain length (1) and per chain member its id's UTF-8
 * length (1) and bytes. A slot of 12 bytes has no raise recorded.
 */
record ChunkSlot(long chunkId, int version, ChunkRaise raise) {
    private static final int PLAIN_BYTES = Long.BYTES + Integer.BYTES;
    private static final int MAX_CHAIN = 255;
    private static final int MAX_SERVER_ID_BYTES = 255;

    ChunkSlot {
        // A raise on no chain accepts no copy below the version: the same as none recorded.
        raise = raise.chain().isEmpty() ? ChunkRaise.NONE : raise;
    }

    ChunkSlot(long chunkId, int version) {
        this(chunkId, version, ChunkRaise.NONE);
    }

    byte[] encode() {
        if (raise.chain().isEmpty()) {
            return ByteBuffer.allocate(PLAIN_BYTES).putLong(chunkId).putInt(version).array();
        }
        if (raise.chain().size() > MAX_CHAIN) {
            throw new IllegalArgumentException("chunk " + chunkId + ": chain of " + raise.chain().size() + " servers");
        }
        List<byte[]> ids = new ArrayList<>(raise.chain().size());
        int size = PLAIN_BYTES + Integer.BYTES + Long.BYTES + 1;
        for (String id : raise.chain()) {
            byte[] bytes = id.getBytes(StandardCharsets.UTF_8);
            if (bytes.length > MAX_SERVER_ID_BYTES) {
                throw new IllegalArgumentException("chunk " + chunkId + ": server id of " + bytes.length + " bytes");
            }
            ids.add(bytes);
            size += 1 + bytes.length;
        }
        ByteBuffer buffer = ByteBuffer.allocate(size).putLong(chunkId).putInt(version)
                .putInt(raise.floorVersion()).putLong(raise.truncatedToBytes()).put((byte) ids.size());
        for (byte[] id : ids) {
            buffer.put((byte) id.length).put(id);
        }
        return buffer.array();
    }

    static ChunkSlot decode(byte[] bytes) {
        if (bytes.length < PLAIN_BYTES) {
            throw new IllegalStateException("chunk slot value has " + bytes.length + " bytes, expected at least "
                    + PLAIN_BYTES);
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        long chunkId = buffer.getLong();
        int version = buffer.getInt();
        if (!buffer.hasRemaining()) {
            return new ChunkSlot(chunkId, version);
        }
        try {
            int floor = buffer.getInt();
            long truncatedTo = buffer.getLong();
            int members = Byte.toUnsignedInt(buffer.get());
            List<String> chain = new ArrayList<>(members);
            for (int i = 0; i < members; i++) {
                byte[] id = new byte[Byte.toUnsignedInt(buffer.get())];
                buffer.get(id);
                chain.add(new String(id, StandardCharsets.UTF_8));
            }
            if (buffer.hasRemaining()) {
                throw new IllegalStateException("chunk " + chunkId + ": " + buffer.remaining()
                        + " bytes after the chunk slot's raise record");
            }
            return new ChunkSlot(chunkId, version, new ChunkRaise(floor, chain, truncatedTo));
        } catch (BufferUnderflowException e) {
            throw new IllegalStateException("chunk " + chunkId + ": chunk slot's raise record is cut short", e);
        }
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
