package org.mooseng.chunkserver.store;

import static org.mooseng.chunkserver.store.ChunkFileFormat.BLOCK;
import static org.mooseng.chunkserver.store.ChunkFileFormat.HEADER_BYTES;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import org.mooseng.common.ChunkVersion;

/**
 * Block-level operations on one open chunk file, with CRC checks. The caller holds the
 * chunk's lock. Failures are reported as {@link IOException} or {@link BlockCorruptException};
 * {@link ChunkStore} turns them into a Status.
 */
final class ChunkFile {
    private final FileChannel channel;

    ChunkFile(FileChannel channel) {
        this.channel = channel;
    }

    ChunkHeader header() throws IOException, ChunkFileFormat.DamagedHeaderException {
        return ChunkFileFormat.read(channel);
    }

    /** Reads block {@code index} as it reads logically (zeros past the end of the file) and verifies its CRC. */
    byte[] readVerifiedBlock(ChunkHeader header, int index) throws IOException, BlockCorruptException {
        byte[] block = new byte[BLOCK];
        ChunkFileFormat.readFully(channel, ByteBuffer.wrap(block), HEADER_BYTES + (long) index * BLOCK);
        if (ChunkFileFormat.crc(block, 0, BLOCK) != header.blockCrcs()[index]) {
            throw new BlockCorruptException(index);
        }
        return block;
    }

    /**
     * Writes {@code data} at {@code offset} and the new header, then forces both to disk when
     * {@code force} (else the caller forces the file before the write counts as durable). A
     * block written in part gets its CRC updated from the bytes replaced ({@link CrcUpdate}),
     * not summed again over the rest of it, so damage elsewhere in the block still shows. On
     * failure the previous bytes and file size are put back, so the replica still verifies
     * against its old header.
     */
    ChunkHeader write(ChunkHeader header, ChunkVersion newVersion, long offset, ByteBuffer data, boolean force)
            throws IOException {
        int length = data.remaining();
        long oldFileSize = channel.size();
        long position = HEADER_BYTES + offset;
        // the bytes being replaced: to put back on failure, and to update the CRC of a block
        // written in part (past the end of the file they are zeros)
        ByteBuffer previous = ByteBuffer.allocate((int) Math.max(0, Math.min(length, oldFileSize - position)));
        ChunkFileFormat.readFully(channel, previous, position);
        previous.flip();

        int[] crcs = header.blockCrcs().clone();
        int firstBlock = (int) (offset / BLOCK);
        int lastBlock = (int) ((offset + length - 1) / BLOCK);
        for (int b = firstBlock; b <= lastBlock; b++) {
            long blockStart = (long) b * BLOCK;
            int from = (int) Math.max(0, offset - blockStart);
            int to = (int) Math.min(BLOCK, offset + length - blockStart);
            int at = (int) (blockStart + from - offset);
            ByteBuffer slice = data.slice(data.position() + at, to - from);
            crcs[b] = from == 0 && to == BLOCK ? ChunkFileFormat.crc(slice)
                    : CrcUpdate.replaced(crcs[b], BLOCK, from, replacedBytes(previous, at, to - from), slice);
        }
        ChunkHeader updated = header.with(newVersion, Math.max(header.lengthBytes(), offset + length), crcs);

        long written = 0;
        ByteBuffer source = data.duplicate();
        try {
            while (source.hasRemaining()) {
                written += channel.write(source, position + written);
            }
            ChunkFileFormat.write(channel, updated);
            if (force) {
                channel.force(true);
            }
        } catch (IOException e) {
            restore(header, previous, position, written, oldFileSize, e);
            throw e;
        }
        return updated;
    }

    /** Bytes {@code [at, at + n)} of the range being replaced: as read, zeros past what the file held. */
    private static ByteBuffer replacedBytes(ByteBuffer previous, int at, int n) {
        if (at + n <= previous.limit()) {
            return previous.slice(at, n);
        }
        ByteBuffer bytes = ByteBuffer.allocate(n);
        if (at < previous.limit()) {
            bytes.put(previous.slice(at, previous.limit() - at));
        }
        return bytes.clear();
    }

    /** Cuts or extends the data to {@code newLength}; bytes past it read as zeros afterwards. */
    ChunkHeader truncate(ChunkHeader header, ChunkVersion newVersion, long newLength)
            throws IOException, BlockCorruptException {
        int[] crcs = header.blockCrcs().clone();
        if (newLength < header.lengthBytes()) {
            int partial = (int) (newLength % BLOCK);
            int firstCleared = (int) (newLength / BLOCK);
            if (partial != 0) {
                byte[] block = readVerifiedBlock(header, firstCleared);
                java.util.Arrays.fill(block, partial, BLOCK, (byte) 0);
                crcs[firstCleared] = ChunkFileFormat.crc(block, 0, BLOCK);
                firstCleared++;
            }
            java.util.Arrays.fill(crcs, firstCleared, crcs.length, ChunkFileFormat.ZERO_BLOCK_CRC);
            channel.truncate(HEADER_BYTES + newLength);
        }
        // growing needs no data change: everything past the old length already reads as zeros
        ChunkHeader updated = header.with(newVersion, newLength, crcs);
        ChunkFileFormat.write(channel, updated);
        channel.force(true);
        return updated;
    }

    /** Writes a header for a new, empty replica. */
    void create(ChunkHeader header) throws IOException {
        ChunkFileFormat.write(channel, header);
    }

    private void restore(ChunkHeader header, ByteBuffer previous, long position, long written, long oldFileSize,
                         IOException failure) {
        try {
            int overwritten = (int) Math.min(previous.remaining(), written);
            ChunkFileFormat.writeFully(channel, previous.limit(overwritten), position);
            if (channel.size() > oldFileSize) {
                channel.truncate(oldFileSize);
            }
            ChunkFileFormat.write(channel, header);
            channel.force(true);
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    /** A block whose bytes do not match its stored CRC. */
    static final class BlockCorruptException extends Exception {
        private final int block;

        BlockCorruptException(int block) {
            super("CRC mismatch in block " + block);
            this.block = block;
        }

        int block() {
            return block;
        }
    }
}
