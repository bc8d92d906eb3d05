package org.mooseng.meta;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Big-endian key encoding. Big-endian so that RocksDB's bytewise order equals numeric order
 * for the non-negative ids we use, which keeps every per-inode prefix contiguous and sorted.
 */
final class Keys {
    private Keys() {
    }

    static byte[] ofLong(long value) {
        return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
    }

    static byte[] ofLongs(long first, long second) {
        return ByteBuffer.allocate(2 * Long.BYTES).putLong(first).putLong(second).array();
    }

    static byte[] ofLongAndName(long id, String name) {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(Long.BYTES + nameBytes.length).putLong(id).put(nameBytes).array();
    }

    static long longAt(byte[] key, int offset) {
        return ByteBuffer.wrap(key, offset, Long.BYTES).getLong();
    }

    static String nameAfterLong(byte[] key) {
        return new String(key, Long.BYTES, key.length - Long.BYTES, StandardCharsets.UTF_8);
    }

    /** The first key after every key starting with {@code id}: an exclusive upper bound for prefix scans. */
    static byte[] prefixEnd(long id) {
        return ofLong(id + 1);
    }

    static boolean hasPrefix(byte[] key, byte[] prefix) {
        if (key.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (key[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
