package org.mooseng.meta;

import java.nio.ByteBuffer;
import org.mooseng.proto.FileType;
import org.mooseng.proto.Timespec;

/**
 * Binary form of {@link InodeRecord}. The first byte is the format version, so a later
 * layout can be read next to this one (decode dispatches on it).
 */
final class InodeCodec {
    private static final byte FORMAT_V1 = 1;
    private static final int V1_BYTES = 1 + 1 + 4 * 4 + 8 + 3 * (8 + 4) + 8 + 4 + 3 * 8;

    private InodeCodec() {
    }

    static byte[] encode(InodeRecord r) {
        ByteBuffer b = ByteBuffer.allocate(V1_BYTES);
        b.put(FORMAT_V1).put((byte) r.type().getNumber());
        b.putInt(r.mode()).putInt(r.uid()).putInt(r.gid()).putLong(r.sizeBytes()).putInt(r.nlink());
        putTime(b, r.atime());
        putTime(b, r.mtime());
        putTime(b, r.ctime());
        b.putLong(r.rdev()).putInt(r.goal()).putLong(r.parent()).putLong(r.nextEntrySeq()).putLong(r.entryCount());
        if (b.hasRemaining()) {
            throw new IllegalStateException("inode " + r.inode() + ": encoded size mismatch");
        }
        return b.array();
    }

    static InodeRecord decode(long inode, byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        byte format = b.get();
        if (format != FORMAT_V1 || bytes.length != V1_BYTES) {
            throw new IllegalStateException("inode " + inode + ": unknown record format " + format + " of "
                    + bytes.length + " bytes");
        }
        FileType type = FileType.forNumber(b.get());
        int mode = b.getInt();
        int uid = b.getInt();
        int gid = b.getInt();
        long size = b.getLong();
        int nlink = b.getInt();
        Timespec atime = getTime(b);
        Timespec mtime = getTime(b);
        Timespec ctime = getTime(b);
        long rdev = b.getLong();
        int goal = b.getInt();
        long parent = b.getLong();
        long nextEntrySeq = b.getLong();
        long entryCount = b.getLong();
        return new InodeRecord(inode, type, mode, uid, gid, size, nlink, atime, mtime, ctime, rdev, goal, parent,
                nextEntrySeq, entryCount);
    }

    private static void putTime(ByteBuffer b, Timespec t) {
        b.putLong(t.getSeconds()).putInt(t.getNanos());
    }

    private static Timespec getTime(ByteBuffer b) {
        return Timespec.newBuilder().setSeconds(b.getLong()).setNanos(b.getInt()).build();
    }
}
