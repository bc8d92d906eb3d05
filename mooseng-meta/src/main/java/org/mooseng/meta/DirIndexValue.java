package org.mooseng.meta;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.mooseng.proto.DirEntry;
import org.mooseng.proto.FileType;

/** Value of the readdir index (parent, seq) -> inode, type, name: everything a DirEntry needs in one read. */
final class DirIndexValue {
    /** Where the name starts: after the inode (u64) and the type (u8). */
    static final int NAME_OFFSET = Long.BYTES + 1;

    private DirIndexValue() {
    }

    static byte[] encode(long inode, FileType type, String name) {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(Long.BYTES + 1 + nameBytes.length)
                .putLong(inode).put((byte) type.getNumber()).put(nameBytes).array();
    }

    static DirEntry decode(long seq, byte[] value) {
        ByteBuffer b = ByteBuffer.wrap(value);
        long inode = b.getLong();
        FileType type = FileType.forNumber(b.get());
        String name = new String(value, Long.BYTES + 1, value.length - Long.BYTES - 1, StandardCharsets.UTF_8);
        return DirEntry.newBuilder().setName(name).setInode(inode).setType(type).setCookie(seq).build();
    }
}
