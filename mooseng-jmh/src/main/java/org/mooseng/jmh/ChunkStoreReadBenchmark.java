package org.mooseng.jmh;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.mooseng.chunkserver.store.BenchmarkChunkStores;
import org.mooseng.chunkserver.store.ChunkStore;
import org.mooseng.common.ChunkId;
import org.mooseng.common.StatusException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One read of the chunk server's store ({@link ChunkStore#read}) as a READ frame makes it: 64 KiB
 * (one block) or 4 KiB (a page, inside one block) at a block- or page-aligned offset of a full
 * 64 MiB chunk, spread over the chunk. Each read opens the file, reads and checks its 8 KiB
 * header, then reads every block the range touches whole and verifies its CRC32C, so a 4 KiB
 * read reads and sums 64 KiB. The chunk was just written, so the bytes come from the page
 * cache: this measures the store's CPU and copying, not the disk. Threads (-t) read chunks of
 * their own in one store.
 *
 * <p>Average time per read. A regression is more work per read: another header read or
 * decode, more blocks read or summed than the range needs, extra copies.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {JvmFlags.HEAP, JvmFlags.GC}, jvmArgsAppend = {JvmFlags.NATIVE_ACCESS, JvmFlags.UNSAFE,
        JvmFlags.OPEN_LANG, JvmFlags.OPEN_NIO, JvmFlags.OPEN_NIO_CHANNELS, JvmFlags.OPEN_UTIL,
        JvmFlags.NETTY_REFLECTION, JvmFlags.SOFA_LOGGING})
@State(Scope.Benchmark)
public class ChunkStoreReadBenchmark {
    /** An odd step: n * STEP modulo a power of two visits every range of the chunk once per round. */
    private static final long STEP = 40_503;

    /** Directory under which the store's data directory is made (a path, or java.io.tmpdir). */
    @Param(WorkDirectory.TMPDIR)
    public String dir;

    Path work;
    ChunkStore store;
    private final AtomicLong nextChunk = new AtomicLong(1);

    @Setup(Level.Trial)
    public void openStore() throws IOException {
        work = WorkDirectory.create(dir, "mooseng-jmh-chunks-");
        // Filling the chunks is not measured: their forces would only slow the set-up.
        store = BenchmarkChunkStores.open(work, false);
    }

    @TearDown(Level.Trial)
    public void removeStore() throws IOException {
        WorkDirectory.delete(work);
    }

    /** One reading thread: its full chunk and the ranges it reads in turn. */
    @State(Scope.Thread)
    public static class Reader {
        @Param({"4096", "65536"})
        public int readBytes;

        ChunkId chunk;
        private long ranges;
        private long reads;

        @Setup(Level.Trial)
        public void prepare(ChunkStoreReadBenchmark disk) throws StatusException {
            chunk = new ChunkId(disk.nextChunk.getAndIncrement());
            ChunkFixture.fill(disk.store, chunk);
            ranges = ChunkFixture.CHUNK_BYTES / readBytes;
        }

        long nextOffset() {
            return (reads++ * STEP) % ranges * readBytes;
        }
    }

    @Benchmark
    public byte[] read(Reader reader) throws StatusException {
        return store.read(reader.chunk, ChunkFixture.VERSION, reader.nextOffset(), reader.readBytes);
    }
}
