package org.mooseng.fuse;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which files this mount changed through one handle, and when (a counter, not a clock): the
 * chunk locations and read-ahead another handle holds are older than such a change when
 * they were fetched before it. A handle compares the stamp it took when its cached reads were
 * last fresh with the file's last change before it serves a read from them.
 */
final class ContentChanges {
    /** Bounds memory; forgetting the entries makes every handle refetch once. */
    private static final int MAX_ENTRIES = 100_000;

    private final AtomicLong counter = new AtomicLong();
    private final ConcurrentHashMap<Long, Long> changedAt = new ConcurrentHashMap<>();
    /** Handles stamped before this have to assume their file changed: its entry was forgotten. */
    private volatile long forgottenBefore;

    /** The stamp to keep with data fetched from now on. */
    long now() {
        return counter.get();
    }

    /** The inode's data or size changed (writes committed, a truncate). */
    void changed(long inode) {
        if (changedAt.size() >= MAX_ENTRIES) {
            forgottenBefore = counter.incrementAndGet();
            changedAt.clear();
        }
        changedAt.put(inode, counter.incrementAndGet());
    }

    /** Whether the inode changed after {@code stamp} was taken. */
    boolean changedSince(long inode, long stamp) {
        Long at = changedAt.get(inode);
        return (at != null && at > stamp) || forgottenBefore > stamp;
    }
}
