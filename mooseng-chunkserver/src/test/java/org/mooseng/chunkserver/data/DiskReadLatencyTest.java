package org.mooseng.chunkserver.data;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mooseng.common.Layout;

class DiskReadLatencyTest {
    private static final int BLOCK = Layout.BLOCK_SIZE_BYTES;

    @Test
    void smallReadsAreMadeInPlaceUntilTheDiskProvesSlowAndAgainOnceItIsFast() {
        DiskReadLatency latency = new DiskReadLatency();
        assertThat(latency.readInPlace(4096)).isTrue();
        assertThat(latency.readInPlace(BLOCK)).isTrue();
        assertThat(latency.readInPlace(BLOCK + 1)).as("more than a block never").isFalse();

        latency.record(BLOCK, 10_000_000); // one seek of a spinning disk, slower than most
        assertThat(latency.readInPlace(4096)).isFalse();

        for (int i = 0; i < 40; i++) {
            latency.record(4096, 60_000);
        }
        assertThat(latency.averageNanos()).isLessThan(DiskReadLatency.INLINE_BELOW_NANOS);
        assertThat(latency.readInPlace(4096)).isTrue();
    }

    @Test
    void largeReadsDoNotMoveTheAverage() {
        DiskReadLatency latency = new DiskReadLatency();
        latency.record(4 << 20, 50_000_000);
        assertThat(latency.averageNanos()).isZero();
        assertThat(latency.readInPlace(BLOCK)).isTrue();
    }
}
