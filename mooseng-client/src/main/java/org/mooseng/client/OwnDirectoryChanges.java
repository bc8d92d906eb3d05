package org.mooseng.client;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.mooseng.proto.Attr;
import org.mooseng.proto.FileType;
import org.mooseng.proto.MetaOp;
import org.mooseng.proto.MetaResult;

/**
 * The attributes of directories as this client's own namespace changes left them (the
 * master's {@code parent_attr}), so a stat of the directory right after a create or unlink in
 * it needs no round trip. The kernel drops its cached attributes of a directory after every
 * such change and asks again before the next permission check in it: without this, each
 * create, mkdir or unlink in a directory costs one more call to the master.
 *
 * <p>An entry is trusted only if no other change of this client named the directory between
 * the change that reported it and now: every change first marks the directories it names,
 * and a reported attribute is kept only when its change was the last one marked. Changes
 * that may touch directories they do not name (rename, set-goal) forget everything. Other
 * clients' changes are not seen here, as they are not by the kernel's cache, so callers bound
 * the age they accept by the attribute timeout they give the kernel.
 */
final class OwnDirectoryChanges {
    /** Directories remembered at most; a mount works in a few at a time. */
    static final int MAX_ENTRIES = 1024;

    private static final class Mark {
        long markedAt;
        Attr attr;
        long storedAtNanos;
    }

    private final LongSupplier nanoTime;
    private final Map<Long, Mark> entries = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Mark> eldest) {
            return size() > MAX_ENTRIES;
        }
    };
    private long marks;

    OwnDirectoryChanges(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /**
     * Marks the directories {@code op} may change, before it is sent; returns the mark its
     * result is stored under. Forgets everything for an op that may change directories it
     * does not name.
     */
    synchronized long beforeChange(MetaOp op) {
        long mark = ++marks;
        switch (op.getOpCase()) {
            case CREATE -> markLocked(op.getCreate().getParent(), mark);
            case SYMLINK -> markLocked(op.getSymlink().getParent(), mark);
            case LINK -> markLocked(op.getLink().getNewParent(), mark);
            case UNLINK -> markLocked(op.getUnlink().getParent(), mark);
            case SET_XATTR -> markLocked(op.getSetXattr().getInode(), mark);
            case REMOVE_XATTR -> markLocked(op.getRemoveXattr().getInode(), mark);
            case ACCESS_TIMES -> op.getAccessTimes().getInodesList().forEach(inode -> markLocked(inode, mark));
            default -> entries.clear();
        }
        return mark;
    }

    /** Marks one inode whose attributes a change (a setattr) is about to move. */
    synchronized long beforeChange(long inode) {
        long mark = ++marks;
        markLocked(inode, mark);
        return mark;
    }

    private void markLocked(long inode, long mark) {
        Mark entry = entries.computeIfAbsent(inode, k -> new Mark());
        entry.markedAt = mark;
        entry.attr = null;
    }

    /**
     * After a change marked {@code mark} succeeded: keeps the directory attributes it reported
     * unless a later change marked that directory since. A directory the change made, moved or
     * removed (its own attributes) is forgotten.
     */
    synchronized void afterChange(long mark, MetaResult result) {
        if (result.hasAttr() && result.getAttr().getType() == FileType.DIRECTORY) {
            entries.remove(result.getAttr().getInode());
        }
        if (!result.hasParentAttr()) {
            return;
        }
        Attr parent = result.getParentAttr();
        Mark entry = entries.get(parent.getInode());
        if (entry != null && entry.markedAt == mark) {
            entry.attr = parent;
            entry.storedAtNanos = nanoTime.getAsLong();
        }
    }

    /** The directory's attributes as this client's last change of it left them, if no older than {@code maxAgeNanos}. */
    synchronized Optional<RecentStat> recent(long inode, long maxAgeNanos) {
        Mark entry = entries.get(inode);
        if (entry == null || entry.attr == null) {
            return Optional.empty();
        }
        long age = nanoTime.getAsLong() - entry.storedAtNanos;
        return age < maxAgeNanos ? Optional.of(new RecentStat(FileStat.from(entry.attr), age)) : Optional.empty();
    }
}
