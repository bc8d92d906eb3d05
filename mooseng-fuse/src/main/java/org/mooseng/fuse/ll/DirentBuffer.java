package org.mooseng.fuse.ll;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A readdir reply packed as it is built, in the layout the kernel reads (struct fuse_dirent,
 * see {@link DirentPacker}): a file system that holds its names as bytes copies them straight
 * from where they are, with no object per entry.
 */
public final class DirentBuffer {
    private final ByteBuffer out;

    /** A reply of at most {@code capacity} bytes: size it with {@link #entryBytes} to what the kernel asked for. */
    public DirentBuffer(int capacity) {
        this.out = ByteBuffer.allocate(capacity).order(ByteOrder.nativeOrder());
    }

    /** The bytes an entry whose name has {@code nameBytes} bytes takes. */
    public static int entryBytes(int nameBytes) {
        return DirentPacker.entryBytes(nameBytes);
    }

    /**
     * Appends an entry whose name is {@code length} bytes of {@code source} from {@code from};
     * false, with nothing written, when it does not fit.
     */
    public boolean add(long inode, int mode, long nextOffset, byte[] source, int from, int length) {
        int size = entryBytes(length);
        if (out.remaining() < size) {
            return false;
        }
        int start = out.position();
        out.putLong(inode);
        out.putLong(nextOffset);
        out.putInt(length);
        out.putInt((mode & 0170000) >>> 12);
        out.put(source, from, length);
        out.position(start + size); // the padding stays zero
        return true;
    }

    /** The reply: the entries added, in order. */
    public Reply reply() {
        return new Reply.Dirents(out.duplicate().flip().order(ByteOrder.nativeOrder()));
    }
}
