package org.mooseng.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mooseng.common.Layout;
import org.mooseng.protocol.data.DataFrame;

class ChunkSpanTest {
    private static final long CHUNK = Layout.CHUNK_SIZE_BYTES;

    @Test
    void rangeInsideOneChunkIsOneSpan() {
        assertThat(ChunkSpan.split(CHUNK + 10, 100)).containsExactly(new ChunkSpan(1, 10, 100, 0));
    }

    @Test
    void rangeAcrossABoundaryIsCutExactlyAtTheBoundary() {
        List<ChunkSpan> spans = ChunkSpan.split(CHUNK - 3, 10);
        assertThat(spans).containsExactly(new ChunkSpan(0, (int) CHUNK - 3, 3, 0), new ChunkSpan(1, 0, 7, 3));
    }

    @Test
    void spansCoverTheRangeContiguouslyForManyPositionsAndLengths() {
        long[] positions = {0, 1, CHUNK - 1, CHUNK, 3 * CHUNK - 4096, 5 * CHUNK + 17};
        int[] lengths = {1, 4095, (int) CHUNK, (int) CHUNK + 1, 2 * (int) CHUNK + 5};
        for (long position : positions) {
            for (int length : lengths) {
                List<ChunkSpan> spans = ChunkSpan.split(position, length);
                long next = position;
                int buffer = 0;
                for (ChunkSpan s : spans) {
                    assertThat(s.fileOffset()).isEqualTo(next);
                    assertThat(s.bufferOffset()).isEqualTo(buffer);
                    assertThat(s.offsetInChunk() + (long) s.length()).isLessThanOrEqualTo(CHUNK);
                    next += s.length();
                    buffer += s.length();
                }
                assertThat(next).isEqualTo(position + length);
            }
        }
    }

    @Test
    void emptyRangeHasNoSpans() {
        assertThat(ChunkSpan.split(123, 0)).isEmpty();
    }

    @Test
    void framesAreAtMostFourMibAndAlignedToFourMibInsideTheChunk() {
        ChunkSpan span = new ChunkSpan(0, 1000, 9 << 20, 50);
        List<ChunkSpan> frames = span.frames(DataFrame.MAX_DATA_BYTES);
        assertThat(frames).hasSize(3);
        assertThat(frames.get(0)).isEqualTo(new ChunkSpan(0, 1000, (4 << 20) - 1000, 50));
        assertThat(frames.get(1)).isEqualTo(new ChunkSpan(0, 4 << 20, 4 << 20, 50 + (4 << 20) - 1000));
        assertThat(frames.get(2).offsetInChunk()).isEqualTo(8 << 20);
        assertThat(frames.get(2).fileEnd()).isEqualTo(span.fileEnd());
        assertThat(frames).allSatisfy(f -> assertThat(f.length()).isLessThanOrEqualTo(DataFrame.MAX_DATA_BYTES));
    }

    @Test
    void spanMayNotCrossTheChunkEnd() {
        assertThatThrownBy(() -> new ChunkSpan(0, (int) CHUNK - 1, 2, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
