package org.mooseng.metalogger;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import java.util.zip.CRC32C;

/**
 * Format v1 of a log segment file, {@code log/<first-index, 20 digits>.seg}. All integers are
 * big-endian.
 * <pre>
 * header   magic "MNGMLOG1" (8) | version u32 = 1 | first index u64 | CRC32C of the previous 20 bytes u32
 * record   op length u32 | index u64 | previous index u64 | leader time: seconds s64, nanos u32
 *          | MetaOp bytes (op length) | CRC32C of everything before it in the record u32
 * </pre>
 * Records follow the header back to back in index order; the first record's index is the
 * one in the header and in the file name.
 */
final class SegmentFormat {
    static final int VERSION = 1;
    static final byte[] MAGIC = "MNGMLOG1".getBytes(StandardCharsets.US_ASCII);
    static final int HEADER_BYTES = MAGIC.length + Integer.BYTES + Long.BYTES + Integer.BYTES;
    static final int RECORD_HEAD_BYTES = Integer.BYTES + 3 * Long.BYTES + Integer.BYTES;
    static final int RECORD_CRC_BYTES = Integer.BYTES;
    /** Far above any real MetaOp; a larger length field is damage, not a record. */
    static final int MAX_OP_BYTES = 16 << 20;
    static final String SUFFIX = ".seg";

    private SegmentFormat() {
    }

    static String fileName(long firstIndex) {
        return String.format("%020d%s", firstIndex, SUFFIX);
    }

    /** The first index a segment file name declares; empty for other files. */
    static OptionalLong firstIndexOf(String fileName) {
        if (!fileName.endsWith(SUFFIX) || fileName.length() != 20 + SUFFIX.length()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(fileName.substring(0, 20)));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    static ByteBuffer header(long firstIndex) {
        ByteBuffer buf = ByteBuffer.allocate(HEADER_BYTES);
        buf.put(MAGIC).putInt(VERSION).putLong(firstIndex);
        buf.putInt(crc(buf.array(), 0, HEADER_BYTES - Integer.BYTES));
        return buf.flip();
    }

    /** The first index of a valid header; empty when the bytes are not one. */
    static OptionalLong parseHeader(byte[] header) {
        if (header.length != HEADER_BYTES) {
            return OptionalLong.empty();
        }
        ByteBuffer buf = ByteBuffer.wrap(header);
        for (byte b : MAGIC) {
            if (buf.get() != b) {
                return OptionalLong.empty();
            }
        }
        int version = buf.getInt();
        long first = buf.getLong();
        int stored = buf.getInt();
        if (version != VERSION || stored != crc(header, 0, HEADER_BYTES - Integer.BYTES) || first <= 0) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(first);
    }

    static int recordBytes(int opLength) {
        return RECORD_HEAD_BYTES + opLength + RECORD_CRC_BYTES;
    }

    static ByteBuffer encode(LogRecord record) {
        byte[] op = record.op();
        if (op.length > MAX_OP_BYTES) {
            throw new IllegalArgumentException("log record " + record.index() + ": op of " + op.length
                    + " bytes exceeds " + MAX_OP_BYTES);
        }
        ByteBuffer buf = ByteBuffer.allocate(recordBytes(op.length));
        buf.putInt(op.length).putLong(record.index()).putLong(record.prevIndex()).putLong(record.seconds())
                .putInt(record.nanos()).put(op);
        buf.putInt(crc(buf.array(), 0, buf.position()));
        return buf.flip();
    }

    static int crc(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }
}
