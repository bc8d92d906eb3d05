package org.mooseng.meta;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.Optional;
import java.util.function.Function;

/**
 * Bounded in-heap cache of hot inodes, directory entries and directory listings in front of
 * RocksDB. Absent values are cached too (as empty), since creates look up names that do not
 * exist yet.
 * Only the apply thread changes it after a commit; readers fill it on a miss.
 */
final class StateCache {
    /** Bytes of directory listings held per entry of the cache's size (32 MiB for a million). */
    static final long LISTING_BYTES_PER_ENTRY = 32;

    private final Cache<Long, Optional<InodeRecord>> inodes;
    private final Cache<EntryKey, Optional<EntryRecord>> entries;
    private final ListingCache listings;

    StateCache(long maxEntries) {
        long half = Math.max(1, maxEntries / 2);
        this.listings = new ListingCache(Math.max(1, maxEntries) * LISTING_BYTES_PER_ENTRY);
        // Maintenance on the calling thread: no background pool, nothing to stop at close.
        this.inodes = Caffeine.newBuilder().maximumSize(half).executor(Runnable::run).build();
        this.entries = Caffeine.newBuilder().maximumSize(half).executor(Runnable::run).build();
    }

    Optional<InodeRecord> inode(long id, Function<Long, Optional<InodeRecord>> loader) {
        return inodes.get(id, loader);
    }

    Optional<EntryRecord> entry(EntryKey key, Function<EntryKey, Optional<EntryRecord>> loader) {
        return entries.get(key, loader);
    }

    void putInode(long id, Optional<InodeRecord> value) {
        inodes.put(id, value);
    }

    void putEntry(EntryKey key, Optional<EntryRecord> value) {
        entries.put(key, value);
    }

    ListingCache listings() {
        return listings;
    }

    void clear() {
        inodes.invalidateAll();
        entries.invalidateAll();
        listings.clear();
    }

    long size() {
        inodes.cleanUp();
        entries.cleanUp();
        return inodes.estimatedSize() + entries.estimatedSize();
    }

    record EntryKey(long parent, String name) {
    }
}
