package org.mooseng.chunkserver.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;
import org.mooseng.common.ChunkId;
import org.mooseng.common.ChunkVersion;
import org.mooseng.common.Layout;

/**
 * Version 1 of the chunk file layout. The magic names the version, so a later layout gets a
 * new magic and a new class next to this one.
 *
 * <pre>
 *   offset  size  field (big-endian)
 *        0     8  magic "MNGCHK01"
 *        8     8  chunk id
 *       16     4  chunk version
 *       20     4  data length in bytes (at most 64 MiB)
 *       24  4096  CRC32C of each 64 KiB block, 1024 entries
 *     4120     4  CRC32C of bytes [0, 4120)
 *     4124        zero padding up to 8192
 *     8192        the data; bytes past the end of the file read as zeros
 * </pre>
 *
 * The header occupies two 4 KiB pages so that the data stays page-aligned.
 */
final class ChunkFileFormat {
    static final byte[] MAGIC = "MNGCHK01".getBytes(StandardCharsets.US_ASCII);
    static final int HEADER_BYTES = 8192;
    static final int BLOCK = Layout.BLOCK_SIZE_BYTES;
    private static final int CRC_TABLE_OFFSET = 24;
    private static final int HEADER_CRC_OFFSET = CRC_TABLE_OFFSET + 4 * Layout.BLOCKS_PER_CHUNK;
    static final int ZERO_BLOCK_CRC = crc(ByteBuffer.allocate(BLOCK));

    private ChunkFileFormat() {
    }

    static int crc(ByteBuffer bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes.duplicate());
        return (int) crc.getValue();
    }

    static int crc(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    static ByteBuffer encode(ChunkHeader header) {
        ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES);
        out.put(MAGIC).putLong(header.id().value()).putInt(header.version().value())
                .putInt((int) header.lengthBytes());
        for (int crc : header.blockCrcs()) {
            out.putInt(crc);
        }
        out.putInt(crc(out.array(), 0, HEADER_CRC_OFFSET));
        return out.clear();
    }

    /** Decodes a header; throws {@link DamagedHeaderException} if it is not a valid v1 header. */
    static ChunkHeader decode(ByteBuffer in) throws DamagedHeaderException {
        if (in.remaining() < HEADER_CRC_OFFSET + 4) {
            throw new DamagedHeaderException("header truncated to " + in.remaining() + " bytes");
        }
        byte[] magic = new byte[MAGIC.length];
        in.get(in.position(), magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new DamagedHeaderException("unknown magic " + new String(magic, StandardCharsets.ISO_8859_1));
        }
        byte[] covered = new byte[HEADER_CRC_OFFSET];
        in.get(in.position(), covered);
        int storedCrc = in.getInt(in.position() + HEADER_CRC_OFFSET);
        if (crc(covered, 0, covered.length) != storedCrc) {
            throw new DamagedHeaderException("header CRC mismatch");
        }
        ByteBuffer fields = ByteBuffer.wrap(covered, MAGIC.length, covered.length - MAGIC.length);
        long id = fields.getLong();
        int version = fields.getInt();
        long length = Integer.toUnsignedLong(fields.getInt());
        int[] crcs = new int[Layout.BLOCKS_PER_CHUNK];
        for (int i = 0; i < crcs.length; i++) {
            crcs[i] = fields.getInt();
        }
        try {
            return new ChunkHeader(new ChunkId(id), new ChunkVersion(version), length, crcs);
        } catch (IllegalArgumentException e) {
            throw new DamagedHeaderException(e.getMessage());
        }
    }

    static ChunkHeader read(FileChannel channel) throws IOException, DamagedHeaderException {
        ByteBuffer buffer = ByteBuffer.allocate(HEADER_BYTES);
        readFully(channel, buffer, 0);
        return decode(buffer.flip());
    }

    static void write(FileChannel channel, ChunkHeader header) throws IOException {
        writeFully(channel, encode(header), 0);
    }

    /** Reads until the buffer is full or the file ends; returns the bytes read. */
    static int readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        int total = 0;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    static void writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            at += channel.write(buffer, at);
        }
    }

    /** Thrown when a file does not start with a valid v1 header. */
    static final class DamagedHeaderException extends Exception {
        DamagedHeaderException(String message) {
            super(message);
        }
    }
}
