package org.mooseng.chunkserver.store;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The CRC32C of a block after some of its bytes are replaced, from the block's old CRC and the
 * old and new bytes of the range only: a small write into a 64 KiB block need not read and sum
 * the other 60 KiB.
 *
 * <p>CRC32C without its initial and final inversion ("raw") is linear over GF(2): for messages
 * of one length, raw(a ^ b) = raw(a) ^ raw(b), and CRC32C(m) = raw(m) ^ CRC32C(zeros of m's
 * length). A block with bytes [from, to) replaced is the old block XOR a message that is d =
 * old ^ new there and zero elsewhere, so its CRC is the old CRC XOR raw of that message. Leading
 * zeros leave a zero register unchanged, and trailing zeros move it by a fixed linear map, so
 * that raw is raw(d) carried through {@code length - to} zero bytes. The map for 2^k zero bytes
 * is kept as a 32x32 bit matrix per k, and any count is carried by the matrices of its set bits.
 *
 * <p>Stored CRCs are never recomputed from the rest of the block: a block whose other bytes
 * were damaged keeps failing its check after the write, as it did before.
 */
final class CrcUpdate {
    /** CRC32C's polynomial, bit-reflected, as the register shifts right. */
    private static final int POLY = 0x82F63B78;
    /** ZEROS[k][i]: the register after 2^k zero bytes from a register of only bit i. */
    private static final int[][] ZEROS = new int[31][];

    static {
        int[] oneZeroBit = new int[32];
        for (int i = 0; i < 32; i++) {
            int r = 1 << i;
            oneZeroBit[i] = (r >>> 1) ^ ((r & 1) != 0 ? POLY : 0);
        }
        int[] op = oneZeroBit;
        for (int bits = 1; bits < 8; bits <<= 1) {
            op = compose(op, op); // 2, 4, 8 zero bits
        }
        ZEROS[0] = op;
        for (int k = 1; k < ZEROS.length; k++) {
            ZEROS[k] = compose(ZEROS[k - 1], ZEROS[k - 1]);
        }
    }

    private CrcUpdate() {
    }

    /**
     * The CRC32C of a block of {@code length} bytes whose CRC was {@code oldCrc}, once its bytes
     * from {@code from} on, {@code oldBytes} before, become {@code newBytes} (both with as many
     * bytes remaining; their positions are not moved).
     */
    static int replaced(int oldCrc, int length, int from, ByteBuffer oldBytes, ByteBuffer newBytes) {
        int n = newBytes.remaining();
        if (oldBytes.remaining() != n || from < 0 || from + n > length) {
            throw new IllegalArgumentException("range " + from + "+" + n + " (old " + oldBytes.remaining()
                    + " bytes) in a block of " + length);
        }
        byte[] delta = new byte[n];
        for (int i = 0; i < n; i++) {
            delta[i] = (byte) (oldBytes.get(oldBytes.position() + i) ^ newBytes.get(newBytes.position() + i));
        }
        CRC32C crc = new CRC32C();
        crc.update(delta);
        int rawDelta = (int) crc.getValue() ^ crcOfZeros(n);
        return oldCrc ^ afterZeros(rawDelta, length - from - n);
    }

    /** CRC32C of {@code n} zero bytes: the inverted initial register carried through them, inverted. */
    static int crcOfZeros(long n) {
        return ~afterZeros(~0, n);
    }

    /** The register {@code register} becomes after {@code n} zero bytes. */
    static int afterZeros(int register, long n) {
        int r = register;
        for (int k = 0; n != 0; k++, n >>>= 1) {
            if ((n & 1) != 0) {
                r = apply(ZEROS[k], r);
            }
        }
        return r;
    }

    private static int apply(int[] op, int register) {
        int out = 0;
        for (int r = register, i = 0; r != 0; r >>>= 1, i++) {
            if ((r & 1) != 0) {
                out ^= op[i];
            }
        }
        return out;
    }

    /** The map that applies {@code first}, then {@code second}. */
    private static int[] compose(int[] second, int[] first) {
        int[] out = new int[32];
        for (int i = 0; i < 32; i++) {
            out[i] = apply(second, first[i]);
        }
        return out;
    }
}
