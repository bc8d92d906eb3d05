package org.mooseng.fuse.ll;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The answer of one operation. The session turns each kind into the matching fuse_reply_*
 * call, so the file system itself never touches native memory and can be tested without a
 * kernel.
 */
public sealed interface Reply {
    /** fuse_reply_err; errno 0 acknowledges operations that return nothing else (unlink, flush, ...). */
    record Error(int errno) implements Reply {
    }

    /** fuse_reply_none: forget. */
    record None() implements Reply {
    }

    record Entry(FileAttributes attributes, double attrTimeoutSeconds, double entryTimeoutSeconds) implements Reply {
    }

    record Attributes(FileAttributes attributes, double timeoutSeconds) implements Reply {
    }

    record Readlink(String target) implements Reply {
    }

    /** fuse_reply_open; the flags go into fuse_file_info's bit fields. */
    record Open(long handle, boolean directIo, boolean keepCache) implements Reply {
    }

    record Create(Entry entry, Open open) implements Reply {
    }

    record Written(long bytes) implements Reply {
    }

    /** fuse_reply_buf of the first {@code bytes} of the buffer the operation was given. */
    record Data(int bytes) implements Reply {
    }

    /** fuse_reply_buf of a Java array (xattr values and name lists). */
    record Bytes(byte[] value) implements Reply {
    }

    /** fuse_reply_xattr: the size a caller probing with size 0 needs. */
    record XattrSize(long bytes) implements Reply {
    }

    record Statfs(long blockSize, long blocks, long freeBlocks, long availableBlocks, long files, long freeFiles,
                  long nameMax) implements Reply {
    }

    /** Entries packed with fuse_add_direntry until the kernel's buffer is full. */
    record Directory(List<DirectoryItem> items) implements Reply {
    }

    /** fuse_reply_buf of readdir entries already packed ({@link DirentBuffer}), all fitting the kernel's buffer. */
    record Dirents(ByteBuffer packed) implements Reply {
        /** The entries, unpacked (for tests and logs). */
        public List<DirectoryItem> items() {
            ByteBuffer in = packed.duplicate().order(packed.order());
            List<DirectoryItem> items = new ArrayList<>();
            while (in.hasRemaining()) {
                int start = in.position();
                long inode = in.getLong();
                long nextOffset = in.getLong();
                byte[] name = new byte[in.getInt()];
                int type = in.getInt();
                in.get(name);
                items.add(new DirectoryItem(name, inode, type << 12, nextOffset));
                in.position(start + DirentPacker.entryBytes(name.length));
            }
            return items;
        }
    }

    /**
     * fuse_reply_lock: the lock that would block a F_GETLK request, or {@code type}
     * {@link LockRange#F_UNLCK} when none would.
     */
    record Lock(LockRange lock) implements Reply {
    }

    Reply OK = new Error(0);
    Reply NONE = new None();

    static Reply error(int errno) {
        return new Error(errno);
    }
}
