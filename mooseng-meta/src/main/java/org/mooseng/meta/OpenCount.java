package org.mooseng.meta;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import com.google.protobuf.InvalidProtocolBufferException;
import org.mooseng.proto.FileOpenOp;
import org.mooseng.proto.SessionInfo;

/**
 * How often one session has one inode open, for reading and for writing. Counted rather than
 * flagged because a mount opens the same file through many descriptors, and each release
 * must drop exactly one of them.
 */
record OpenCount(int readers, int writers) {
    static final OpenCount NONE = new OpenCount(0, 0);
    static final int READ = FileOpenOp.Flag.OPEN_READ_VALUE;
    static final int WRITE = FileOpenOp.Flag.OPEN_WRITE_VALUE;
    /** Key in the counters family of the next session id the state hands out. */
    static final byte[] NEXT_SESSION_KEY = "next_session".getBytes(StandardCharsets.UTF_8);
    private static final int ENCODED_BYTES = 2 * Integer.BYTES;

    OpenCount {
        if (readers < 0 || writers < 0) {
            throw new IllegalStateException("open count below zero: " + readers + "/" + writers);
        }
    }

    /** An open without any mode bit counts as a read, so that it is still released by its flags. */
    static int normalizedFlags(int flags) {
        int known = flags & (READ | WRITE);
        return known == 0 ? READ : known;
    }

    boolean isOpen() {
        return readers > 0 || writers > 0;
    }

    boolean writable() {
        return writers > 0;
    }

    OpenCount plus(int flags) {
        int f = normalizedFlags(flags);
        return new OpenCount(readers + ((f & READ) != 0 ? 1 : 0), writers + ((f & WRITE) != 0 ? 1 : 0));
    }

    /** One open with these flags fewer; a release without a matching open leaves the count at zero. */
    OpenCount minus(int flags) {
        int f = normalizedFlags(flags);
        return new OpenCount(Math.max(0, readers - ((f & READ) != 0 ? 1 : 0)),
                Math.max(0, writers - ((f & WRITE) != 0 ? 1 : 0)));
    }

    /** FileOpenOp flag bits this count holds. */
    int flags() {
        return (readers > 0 ? READ : 0) | (writers > 0 ? WRITE : 0);
    }

    byte[] encode() {
        return ByteBuffer.allocate(ENCODED_BYTES).putInt(readers).putInt(writers).array();
    }

    static OpenCount decode(byte[] bytes) {
        if (bytes.length != ENCODED_BYTES) {
            throw new IllegalStateException("open count value has " + bytes.length + " bytes, expected "
                    + ENCODED_BYTES);
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        return new OpenCount(buffer.getInt(), buffer.getInt());
    }

    /** Session records are stored as the protobuf {@link SessionInfo} without the open-file count. */
    static SessionInfo parseSession(byte[] bytes) {
        try {
            return SessionInfo.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("session record does not parse: " + e.getMessage(), e);
        }
    }
}
