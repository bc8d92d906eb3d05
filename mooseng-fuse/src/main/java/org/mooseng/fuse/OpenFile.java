package org.mooseng.fuse;

import java.util.concurrent.atomic.AtomicLong;
import org.mooseng.client.MoosengFile;

/**
 * A file handle given to the kernel. {@code writtenEnd} is the end of this handle's writes
 * not yet committed to the master, so getattr can report a size that includes them.
 */
record OpenFile(long handle, long inode, MoosengFile file, boolean writable, AtomicLong writtenEnd) {
    OpenFile(long handle, long inode, MoosengFile file, boolean writable) {
        this(handle, inode, file, writable, new AtomicLong());
    }
}
