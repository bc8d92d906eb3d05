package org.mooseng.meta;

import java.nio.ByteBuffer;
import org.mooseng.proto.FileType;

/** A directory entry as stored: the inode, its type (for readdir) and the entry's sequence number (its cookie). */
record EntryRecord(long inode, FileType type, long seq) {
    private static final int ENCODED_BYTES = Long.BYTES + 1 + Long.BYTES;

    byte[] encode() {
        return ByteBuffer.allocate(ENCODED_BYTES).putLong(inode).put((byte) type.getNumber()).putLong(seq).array();
    }

    static EntryRecord decode(byte[] bytes) {
        if (bytes.length != ENCODED_BYTES) {
            throw new IllegalStateException("directory entry value has " + bytes.length + " bytes, expected "
                    + ENCODED_BYTES);
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        long inode = buffer.getLong();
        FileType type = FileType.forNumber(buffer.get());
        return new EntryRecord(inode, type, buffer.getLong());
    }
}
