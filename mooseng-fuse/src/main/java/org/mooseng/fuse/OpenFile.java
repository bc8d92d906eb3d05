package org.mooseng.fuse;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.mooseng.client.MoosengFile;

/**
 * A file handle given to the kernel. {@code writtenEnd} is the end of this handle's writes
 * not yet committed to the master (0 when none are), so getattr can report a size that
 * includes them; {@code append}: opened with O_APPEND, every write goes to the end;
 * {@code setIdChecked}: the first write by an unprivileged caller has checked the set-group-id bit;
 * {@code atimeCheckDue}: the next read checks whether atime moves (set again by a write through
 * the handle, which moves mtime), so a handle costs one check, not one per read;
 * {@code readsFreshAt}: the {@link ContentChanges} stamp taken before the handle last fetched
 * chunk locations (at open, or when it dropped them).
 */
record OpenFile(long handle, long inode, MoosengFile file, boolean writable, boolean append, AtomicLong writtenEnd,
                AtomicBoolean setIdChecked, AtomicBoolean atimeCheckDue, AtomicLong readsFreshAt) {
    OpenFile(long handle, long inode, MoosengFile file, boolean writable, boolean append, long readsFreshAt) {
        this(handle, inode, file, writable, append, new AtomicLong(), new AtomicBoolean(), new AtomicBoolean(true),
                new AtomicLong(readsFreshAt));
    }
}
