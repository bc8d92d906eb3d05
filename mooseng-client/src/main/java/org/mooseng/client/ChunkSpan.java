package org.mooseng.client;

import java.util.ArrayList;
import java.util.List;
import org.mooseng.common.Layout;

/**
 * A piece of a file range that lies inside one chunk.
 *
 * @param chunkIndex    which chunk of the file (offset / 64 MiB)
 * @param offsetInChunk where the piece starts inside the chunk
 * @param length        bytes in the piece
 * @param bufferOffset  where the piece starts inside the caller's buffer
 */
record ChunkSpan(long chunkIndex, int offsetInChunk, int length, int bufferOffset) {
    ChunkSpan {
        if (chunkIndex < 0 || offsetInChunk < 0 || length <= 0 || bufferOffset < 0
                || offsetInChunk + (long) length > Layout.CHUNK_SIZE_BYTES) {
            throw new IllegalArgumentException("bad chunk span " + chunkIndex + "/" + offsetInChunk + "+" + length);
        }
    }

    /** File offset of the first byte of the piece. */
    long fileOffset() {
        return chunkIndex * Layout.CHUNK_SIZE_BYTES + offsetInChunk;
    }

    long fileEnd() {
        return fileOffset() + length;
    }

    /** Cuts [position, position + length) of a file at chunk boundaries. */
    static List<ChunkSpan> split(long position, int length) {
        if (position < 0 || length < 0) {
            throw new IllegalArgumentException("bad range " + position + "+" + length);
        }
        List<ChunkSpan> spans = new ArrayList<>();
        int done = 0;
        while (done < length) {
            long offset = position + done;
            long index = offset / Layout.CHUNK_SIZE_BYTES;
            int inChunk = (int) (offset % Layout.CHUNK_SIZE_BYTES);
            int n = (int) Math.min(length - done, Layout.CHUNK_SIZE_BYTES - inChunk);
            spans.add(new ChunkSpan(index, inChunk, n, done));
            done += n;
        }
        return spans;
    }

    /**
     * Cuts this span into frames of at most {@code maxFrameBytes}, at multiples of that size
     * within the chunk, so the frames of a sequential stream cover whole CRC blocks and
     * chunk servers rarely have to merge a partial block.
     */
    List<ChunkSpan> frames(int maxFrameBytes) {
        if (maxFrameBytes <= 0 || maxFrameBytes % Layout.BLOCK_SIZE_BYTES != 0) {
            throw new IllegalArgumentException("frame size must be a positive multiple of the block size");
        }
        List<ChunkSpan> frames = new ArrayList<>();
        int done = 0;
        while (done < length) {
            int inChunk = offsetInChunk + done;
            int toBoundary = maxFrameBytes - inChunk % maxFrameBytes;
            int n = Math.min(length - done, toBoundary);
            frames.add(new ChunkSpan(chunkIndex, inChunk, n, bufferOffset + done));
            done += n;
        }
        return frames;
    }
}
