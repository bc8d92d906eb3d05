package org.mooseng.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.common.ChunkId;
import org.mooseng.common.Layout;
import org.mooseng.protocol.data.DataFrame;

/** The chunk store benchmarks write and read what they say they do (called directly, without JMH, no fsync). */
class ChunkStoreBenchmarkTest {
    private static final int BLOCK = Layout.BLOCK_SIZE_BYTES;

    @TempDir
    Path dir;

    private ChunkStoreWriteBenchmark writes() throws Exception {
        ChunkStoreWriteBenchmark benchmark = new ChunkStoreWriteBenchmark();
        benchmark.dir = dir.toString();
        benchmark.fsync = false;
        benchmark.openStore();
        return benchmark;
    }

    private static ChunkStoreWriteBenchmark.Writer writer(ChunkStoreWriteBenchmark benchmark, int writeBytes,
                                                          ChunkStoreWriteBenchmark.Pattern pattern) throws Exception {
        ChunkStoreWriteBenchmark.Writer writer = new ChunkStoreWriteBenchmark.Writer();
        writer.writeBytes = writeBytes;
        writer.pattern = pattern;
        writer.prepare(benchmark);
        return writer;
    }

    @Test
    void appendFillsAChunkThenStartsTheNextAndDeletesTheFullOne() throws Exception {
        ChunkStoreWriteBenchmark benchmark = writes();
        ChunkStoreWriteBenchmark.Writer writer = writer(benchmark, DataFrame.MAX_DATA_BYTES,
                ChunkStoreWriteBenchmark.Pattern.APPEND);
        ChunkId first = writer.chunk;
        int framesPerChunk = (int) (Layout.CHUNK_SIZE_BYTES / DataFrame.MAX_DATA_BYTES);
        for (int i = 0; i < framesPerChunk; i++) {
            benchmark.write(writer);
        }
        assertThat(benchmark.store.get(first).lengthBytes()).isEqualTo(Layout.CHUNK_SIZE_BYTES);

        benchmark.write(writer);
        assertThat(benchmark.store.get(first)).as("the full chunk is deleted").isNull();
        assertThat(benchmark.store.get(writer.chunk).lengthBytes()).isEqualTo(DataFrame.MAX_DATA_BYTES);
        assertThat(benchmark.store.read(writer.chunk, ChunkFixture.VERSION, 0, BLOCK))
                .isEqualTo(slice(ChunkFixture.randomBytes(DataFrame.MAX_DATA_BYTES, DataFrame.MAX_DATA_BYTES), 0,
                        BLOCK));
    }

    @Test
    void overwriteRewritesAFullChunkRoundAndRound() throws Exception {
        ChunkStoreWriteBenchmark benchmark = writes();
        ChunkStoreWriteBenchmark.Writer writer = writer(benchmark, BLOCK, ChunkStoreWriteBenchmark.Pattern.OVERWRITE);
        assertThat(benchmark.store.get(writer.chunk).lengthBytes()).as("filled before the first write")
                .isEqualTo(Layout.CHUNK_SIZE_BYTES);
        benchmark.write(writer);
        benchmark.write(writer);
        assertThat(writer.offset).isEqualTo(2L * BLOCK);
        writer.offset = Layout.CHUNK_SIZE_BYTES;
        benchmark.write(writer);

        assertThat(writer.offset).as("wrapped to the start").isEqualTo(BLOCK);
        assertThat(benchmark.store.chunkCount()).isEqualTo(1);
        assertThat(benchmark.store.read(writer.chunk, ChunkFixture.VERSION, 0, BLOCK))
                .isEqualTo(ChunkFixture.randomBytes(BLOCK, BLOCK).array());
    }

    @Test
    void tearDownRemovesTheStoreDirectory() throws Exception {
        ChunkStoreWriteBenchmark benchmark = writes();
        benchmark.write(writer(benchmark, BLOCK, ChunkStoreWriteBenchmark.Pattern.APPEND));
        assertThat(benchmark.work).startsWith(dir).isDirectory();
        benchmark.removeStore();
        assertThat(benchmark.work).doesNotExist();
        assertThat(dir).isDirectory();
        try (var left = Files.list(dir)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void readsReturnTheChunkAndVisitEveryRangeOnceARound() throws Exception {
        ChunkStoreReadBenchmark benchmark = new ChunkStoreReadBenchmark();
        benchmark.dir = dir.toString();
        benchmark.openStore();
        ChunkStoreReadBenchmark.Reader reader = new ChunkStoreReadBenchmark.Reader();
        reader.readBytes = BLOCK;
        reader.prepare(benchmark);
        byte[] frame = ChunkFixture.randomBytes(DataFrame.MAX_DATA_BYTES, reader.chunk.value()).array();

        assertThat(benchmark.read(reader)).as("offset 0").isEqualTo(slice(ByteBuffer.wrap(frame), 0, BLOCK));
        int ranges = (int) (Layout.CHUNK_SIZE_BYTES / BLOCK);
        Set<Long> offsets = new HashSet<>();
        for (int i = 1; i < ranges; i++) {
            offsets.add(reader.nextOffset());
        }
        assertThat(offsets).hasSize(ranges - 1).doesNotContain(0L)
                .allSatisfy(offset -> assertThat(offset % BLOCK).isZero());
        benchmark.removeStore();
    }

    private static byte[] slice(ByteBuffer bytes, int from, int length) {
        byte[] out = new byte[length];
        bytes.get(from, out);
        return out;
    }
}
