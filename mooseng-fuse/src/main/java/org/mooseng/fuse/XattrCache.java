package org.mooseng.fuse;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.mooseng.client.UserCredentials;

/**
 * The mount's getxattr answers, each kept for the attribute timeout. The kernel asks for
 * {@code security.capability} before every write(2) to a file on FUSE (FUSE file systems
 * never get S_NOSEC, so the answer is not remembered in the kernel), and without this every
 * write waits for a round trip to the master first.
 *
 * <p>An answer (a value, or "no such attribute") is kept per inode, name and the identity the
 * master checked read permission against. Changes through this mount (setxattr, removexattr,
 * setattr) drop the inode's answers, including those of a fetch still in flight; changes made
 * through other mounts show once the answer expires, as attributes do.
 */
final class XattrCache {
    /** Bounds memory (inodes with kept answers); forgetting them all only costs one fetch each. */
    private static final int MAX_INODES = 50_000;

    /** An answer of the master: the value, or null for "no such attribute". */
    record Answer(byte[] value) {
    }

    private record Key(String name, UserCredentials who) {
    }

    /** {@code value} is null for "no such attribute". */
    private record Kept(byte[] value, long expiresAtNanos) {
    }

    private final long ttlNanos;
    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<Long, ConcurrentHashMap<Key, Kept>> answers = new ConcurrentHashMap<>();
    /** Per inode, the stamp of this mount's last change; a fetch stamped before it is not kept. */
    private final ConcurrentHashMap<Long, Long> changedAt = new ConcurrentHashMap<>();
    private final AtomicLong stamps = new AtomicLong();
    /** Fetches stamped before this are not kept: the change records they would be checked against were cleared. */
    private volatile long forgottenBefore;

    XattrCache(double ttlSeconds, LongSupplier nanoTime) {
        this.ttlNanos = (long) (ttlSeconds * 1e9);
        this.nanoTime = nanoTime;
    }

    /** Taken before a fetch; hand it to {@link #put} with the fetch's answer. */
    long stamp() {
        return stamps.get();
    }

    /** The kept answer, if one is kept and not expired; else the master has to be asked. */
    Optional<Answer> get(long inode, String name, UserCredentials who) {
        Map<Key, Kept> ofInode = answers.get(inode);
        if (ofInode == null) {
            return Optional.empty();
        }
        Key key = new Key(name, who);
        Kept kept = ofInode.get(key);
        if (kept == null) {
            return Optional.empty();
        }
        if (nanoTime.getAsLong() - kept.expiresAtNanos >= 0) {
            ofInode.remove(key, kept);
            return Optional.empty();
        }
        return Optional.of(new Answer(kept.value == null ? null : kept.value.clone()));
    }

    /** Keeps a fetched answer ({@code value} null: no such attribute) unless the inode changed since {@code stamp}. */
    void put(long inode, String name, UserCredentials who, byte[] value, long stamp) {
        if (ttlNanos <= 0) {
            return;
        }
        if (answers.size() >= MAX_INODES) {
            forget();
        }
        Key key = new Key(name, who);
        Kept kept = new Kept(value == null ? null : value.clone(), nanoTime.getAsLong() + ttlNanos);
        answers.computeIfAbsent(inode, i -> new ConcurrentHashMap<>()).put(key, kept);
        // Checked after the put: a change that raced with it is either seen here, or came
        // after the put and dropped the answer itself.
        Long changed = changedAt.get(inode);
        if ((changed != null && changed > stamp) || forgottenBefore > stamp) {
            Map<Key, Kept> ofInode = answers.get(inode);
            if (ofInode != null) {
                ofInode.remove(key, kept);
            }
        }
    }

    /** This mount changed the inode's xattrs or attributes: its kept answers are void. */
    void changed(long inode) {
        if (changedAt.size() >= MAX_INODES) {
            forget();
        }
        changedAt.put(inode, stamps.incrementAndGet());
        answers.remove(inode);
    }

    private void forget() {
        forgottenBefore = stamps.incrementAndGet();
        changedAt.clear();
        answers.clear();
    }
}
