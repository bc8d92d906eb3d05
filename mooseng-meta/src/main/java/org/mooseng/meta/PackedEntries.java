package org.mooseng.meta;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * ReadDirReply's packed_entries, built from readdir index values as they are stored
 * ({@link DirIndexValue}: inode u64, type u8, name): each record is the cookie, those first
 * nine bytes, the name's length (u16) and the name, copied without decoding anything.
 */
final class PackedEntries {
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final int INITIAL_BYTES = 4096;

    private byte[] bytes = new byte[INITIAL_BYTES];
    private int length;

    void add(long cookie, byte[] indexValue) {
        int record = recordBytes(indexValue);
        if (bytes.length - length < record) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + record));
        }
        length = write(bytes, length, cookie, indexValue);
    }

    /** Bytes of the packed record of an index value. */
    static int recordBytes(byte[] indexValue) {
        int nameLength = indexValue.length - DirIndexValue.NAME_OFFSET;
        if (nameLength < 0 || nameLength > 0xFFFF) {
            throw new IllegalStateException("readdir index value of " + indexValue.length + " bytes");
        }
        return Long.BYTES + DirIndexValue.NAME_OFFSET + Short.BYTES + nameLength;
    }

    /** Writes the record of an index value at {@code at} (room checked by the caller); returns where it ends. */
    static int write(byte[] out, int at, long cookie, byte[] indexValue) {
        int nameLength = indexValue.length - DirIndexValue.NAME_OFFSET;
        LONG.set(out, at, cookie);
        at += Long.BYTES;
        System.arraycopy(indexValue, 0, out, at, DirIndexValue.NAME_OFFSET);
        at += DirIndexValue.NAME_OFFSET;
        out[at++] = (byte) (nameLength >>> 8);
        out[at++] = (byte) nameLength;
        System.arraycopy(indexValue, DirIndexValue.NAME_OFFSET, out, at, nameLength);
        return at + nameLength;
    }

    /** The records so far; this builder is not used after. */
    ByteString bytes() {
        return UnsafeByteOperations.unsafeWrap(bytes, 0, length);
    }
}
