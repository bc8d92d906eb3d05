package org.mooseng.chunkserver.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.mooseng.common.Layout;

class CrcUpdateTest {
    private static int crc(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return (int) crc.getValue();
    }

    @Test
    void theCrcOfZerosIsTheSummedOne() {
        for (int n : new int[] {0, 1, 7, 64, 4096, Layout.BLOCK_SIZE_BYTES}) {
            assertThat(CrcUpdate.crcOfZeros(n)).as("%d zeros", n).isEqualTo(crc(new byte[n]));
        }
    }

    @Test
    void aReplacedRangeGivesTheCrcOfTheWholeNewBlock() {
        Random random = new Random(5);
        int length = Layout.BLOCK_SIZE_BYTES;
        for (int i = 0; i < 500; i++) {
            byte[] block = new byte[length];
            if (i % 3 != 0) {
                random.nextBytes(block);
            }
            int from = switch (i % 5) {
                case 0 -> 0;
                case 1 -> length - 1;
                default -> random.nextInt(length);
            };
            int n = i % 5 == 1 ? 1 : 1 + random.nextInt(Math.min(length - from, i % 7 == 0 ? length : 9000));
            byte[] fresh = new byte[n];
            random.nextBytes(fresh);
            int before = crc(block);
            ByteBuffer old = ByteBuffer.wrap(block.clone(), from, n);
            System.arraycopy(fresh, 0, block, from, n);

            assertThat(CrcUpdate.replaced(before, length, from, old, ByteBuffer.wrap(fresh)))
                    .as("bytes %d+%d", from, n).isEqualTo(crc(block));
        }
    }

    @Test
    void aBlockDamagedOutsideTheRangeStillFailsItsCheckAfterwards() {
        Random random = new Random(6);
        byte[] block = new byte[Layout.BLOCK_SIZE_BYTES];
        random.nextBytes(block);
        int stored = crc(block);
        block[40_000] ^= 1; // damaged on disk after its CRC was stored
        byte[] fresh = new byte[100];
        random.nextBytes(fresh);
        ByteBuffer old = ByteBuffer.wrap(block.clone(), 500, 100);
        System.arraycopy(fresh, 0, block, 500, 100);

        assertThat(CrcUpdate.replaced(stored, block.length, 500, old, ByteBuffer.wrap(fresh))).isNotEqualTo(crc(block));
    }

    @Test
    void aRangeOutsideTheBlockIsRefused() {
        assertThatThrownBy(() -> CrcUpdate.replaced(0, 10, 8, ByteBuffer.allocate(3), ByteBuffer.allocate(3)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
