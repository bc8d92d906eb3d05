package org.mooseng.jmh;

import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.mooseng.common.Layout;
import org.mooseng.protocol.data.DataFrame;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * CRC32C ({@link CRC32C}, as the data path computes it) over the two sizes the data path sums:
 * a 64 KiB block ({@link Layout#BLOCK_SIZE_BYTES}, summed by the chunk store on every write
 * and every verified read) and a 4 MiB frame ({@link DataFrame#MAX_DATA_BYTES}, summed by the
 * client before a WRITE and by the chunk server when it arrives and before it answers a READ),
 * from a heap buffer (the store's blocks, {@code byte[]} or wrapped) and from a direct buffer
 * (Netty's pooled buffers of the data plane).
 *
 * <p>Average time per sum; bytes per second = {@code sizeBytes} / time. With the JDK's
 * intrinsic both kinds of buffer run at tens of GB/s on one current x86 core, a 4 MiB frame
 * slower than a 64 KiB block as it no longer fits the core's caches. A regression means the
 * sum lost its intrinsic (a JVM flag, a JDK change, or code that sums byte by byte or through
 * a copy), and every write and read of the data path pays for it on the CPU.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {JvmFlags.HEAP, JvmFlags.GC}, jvmArgsAppend = {JvmFlags.NATIVE_ACCESS, JvmFlags.UNSAFE,
        JvmFlags.OPEN_LANG, JvmFlags.OPEN_NIO, JvmFlags.OPEN_NIO_CHANNELS, JvmFlags.OPEN_UTIL,
        JvmFlags.NETTY_REFLECTION, JvmFlags.SOFA_LOGGING})
@State(Scope.Thread)
public class CrcBenchmark {
    /** Where the bytes live. */
    public enum Memory { HEAP, DIRECT }

    @Param({"65536", "4194304"})
    public int sizeBytes;

    @Param
    public Memory memory;

    private ByteBuffer data;

    @Setup
    public void fill() {
        byte[] bytes = new byte[sizeBytes];
        new Random(sizeBytes).nextBytes(bytes);
        data = switch (memory) {
            case HEAP -> ByteBuffer.wrap(bytes);
            case DIRECT -> ByteBuffer.allocateDirect(sizeBytes).put(bytes).flip();
        };
    }

    @Benchmark
    public long crc32c() {
        CRC32C crc = new CRC32C();
        crc.update(data.rewind());
        return crc.getValue();
    }
}
