package org.mooseng.jmh;

import java.io.IOException;
import java.nio.ByteBuffer;
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
 * One write of the chunk server's store ({@link ChunkStore#write}) as a WRITE frame makes it:
 * a 4 MiB frame (the largest a client sends), a 64 KiB piece (one CRC block), block-aligned,
 * or 4 KiB (part of a block, as a random 4 KiB writer sends), into a chunk file on disk. Each
 * write opens the file, reads and checks its header, sums the CRC32C of the blocks it covers
 * whole (a block written in part has its CRC updated from the bytes it replaces), saves the
 * bytes it replaces (to put them back if the write fails), writes data and header and, with
 * {@code fsync}, forces the file before it returns, as every acknowledged write is forced.
 *
 * <p>{@code pattern}: APPEND writes a new chunk from its start to its end, as a file being
 * written sequentially does (each new chunk file is created with a directory fsync, and the
 * full chunk before it is deleted so the disk does not fill: both inside the measured time,
 * once per 64 MiB); OVERWRITE rewrites a full chunk in place, round and round. With
 * {@code fsync=false} the store's forces do nothing, so the difference is what the disk's
 * flush costs. Threads (-t) write to chunks of their own in one store, as the disk threads of
 * a chunk server do.
 *
 * <p>Average time per write; MB/s = {@code writeBytes} / time. Without fsync a regression is
 * CPU or copying in the store (CRC, the header, the saved bytes); with fsync it is more
 * forces per write or a slower disk ({@code -p dir=} names the disk).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {JvmFlags.HEAP, JvmFlags.GC}, jvmArgsAppend = {JvmFlags.NATIVE_ACCESS, JvmFlags.UNSAFE,
        JvmFlags.OPEN_LANG, JvmFlags.OPEN_NIO, JvmFlags.OPEN_NIO_CHANNELS, JvmFlags.OPEN_UTIL,
        JvmFlags.NETTY_REFLECTION, JvmFlags.SOFA_LOGGING})
@State(Scope.Benchmark)
public class ChunkStoreWriteBenchmark {
    /** Where the writes go within a chunk. */
    public enum Pattern { APPEND, OVERWRITE }

    /** Directory under which the store's data directory is made (a path, or java.io.tmpdir). */
    @Param(WorkDirectory.TMPDIR)
    public String dir;

    @Param({"true", "false"})
    public boolean fsync;

    Path work;
    ChunkStore store;
    private final AtomicLong nextChunk = new AtomicLong(1);

    @Setup(Level.Trial)
    public void openStore() throws IOException {
        work = WorkDirectory.create(dir, "mooseng-jmh-chunks-");
        store = BenchmarkChunkStores.open(work, fsync);
    }

    @TearDown(Level.Trial)
    public void removeStore() throws IOException {
        WorkDirectory.delete(work);
    }

    ChunkId newChunk() {
        return new ChunkId(nextChunk.getAndIncrement());
    }

    /** One writing thread: its chunk and where its next write goes. */
    @State(Scope.Thread)
    public static class Writer {
        @Param({"4096", "65536", "4194304"})
        public int writeBytes;

        @Param
        public Pattern pattern;

        ChunkId chunk;
        long offset;
        private ByteBuffer data;

        @Setup(Level.Trial)
        public void prepare(ChunkStoreWriteBenchmark disk) throws StatusException {
            data = ChunkFixture.randomBytes(writeBytes, writeBytes);
            chunk = disk.newChunk();
            if (pattern == Pattern.OVERWRITE) {
                ChunkFixture.fill(disk.store, chunk);
            }
        }

        void writeNext(ChunkStoreWriteBenchmark disk) throws StatusException {
            if (offset == ChunkFixture.CHUNK_BYTES) {
                offset = 0;
                if (pattern == Pattern.APPEND) {
                    disk.store.delete(chunk, null);
                    chunk = disk.newChunk();
                }
            }
            disk.store.write(chunk, ChunkFixture.VERSION, ChunkFixture.BASE, offset, data.rewind());
            offset += writeBytes;
        }
    }

    @Benchmark
    public void write(Writer writer) throws StatusException {
        writer.writeNext(this);
    }
}
