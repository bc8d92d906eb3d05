package org.mooseng.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class CrcBenchmarkTest {
    private static long expected(int sizeBytes) {
        byte[] bytes = new byte[sizeBytes];
        new Random(sizeBytes).nextBytes(bytes);
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return crc.getValue();
    }

    @Test
    void everyCallSumsTheWholeBufferInHeapAndDirectMemory() {
        for (CrcBenchmark.Memory memory : CrcBenchmark.Memory.values()) {
            CrcBenchmark benchmark = new CrcBenchmark();
            benchmark.sizeBytes = 65536;
            benchmark.memory = memory;
            benchmark.fill();
            assertThat(benchmark.crc32c()).as(memory.name()).isEqualTo(expected(65536));
            assertThat(benchmark.crc32c()).as(memory + ", second call").isEqualTo(expected(65536));
        }
    }
}
