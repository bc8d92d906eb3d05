package org.mooseng.fuse.ll;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Packs directory entries into a readdir reply as the kernel reads it (struct fuse_dirent:
 * u64 inode, u64 offset of the next entry, u32 name length, u32 type, the name, zero padding
 * to 8 bytes), which is what fuse_add_direntry writes one entry per native call. Packing in
 * Java and copying the result once costs one copy per reply instead of a native call, a name
 * allocation and bounds-checked stores per entry.
 */
final class DirentPacker {
    /** ino, off, namelen, type. */
    static final int HEADER_BYTES = 24;

    private DirentPacker() {
    }

    /** The size of one entry whose name has {@code nameBytes} bytes. */
    static int entryBytes(int nameBytes) {
        return (HEADER_BYTES + nameBytes + 7) & ~7;
    }

    /** Packs entries from the start of {@code items} while they fit in {@code maxBytes}; returns the bytes. */
    static ByteBuffer pack(List<DirectoryItem> items, long maxBytes) {
        // The kernel offers up to 1 MiB; a buffer of just what fits saves zeroing the rest.
        long limit = Math.min(maxBytes, Integer.MAX_VALUE);
        int capacity = 0;
        int count = 0;
        for (DirectoryItem item : items) {
            int size = entryBytes(item.name().length);
            if (capacity + size > limit) {
                break;
            }
            capacity += size;
            count++;
        }
        DirentBuffer out = new DirentBuffer(capacity);
        for (int i = 0; i < count; i++) {
            DirectoryItem item = items.get(i);
            out.add(item.inode(), item.mode(), item.nextOffset(), item.name(), 0, item.name().length);
        }
        return ((Reply.Dirents) out.reply()).packed();
    }
}
