package org.mooseng.meta;

import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Listings of recently made or listed directories, each held as the packed records a readdir
 * page carries (see ReadDirReply), so that a page is copied out instead of iterated from
 * RocksDB entry by entry. Bounded by bytes, least recently used first out.
 *
 * <p>A directory's listing is complete or absent: one enters when the directory is made (it
 * is empty) or when a listing of it is read whole from the store; after that every committed
 * change of the directory updates it, under the store's write lock like the other caches, so
 * a reader holding the read lock sees it agree with RocksDB. Sequence numbers only grow, so an
 * added entry goes at the end; a removed one is marked and dropped when marks pile up.
 */
final class ListingCache {
    /** Bytes counted per entry for the arrays next to the records. */
    private static final int ENTRY_OVERHEAD_BYTES = Long.BYTES + Integer.BYTES + 1;
    private static final int INITIAL_ENTRIES = 8;

    private final long maxBytes;
    private final long maxDirectoryBytes;
    private final LinkedHashMap<Long, Listing> listings = new LinkedHashMap<>(64, 0.75f, true);
    private long bytes;

    /** A page copied out: {@code length} bytes of packed records; {@code eof} when nothing follows. */
    record Page(byte[] records, int length, boolean eof) {
    }

    ListingCache(long maxBytes) {
        this.maxBytes = maxBytes;
        this.maxDirectoryBytes = maxBytes / 4;
    }

    /** The directory is empty (just made, or its last entry removed): its listing is known. */
    synchronized void empty(long dir) {
        Listing fresh = new Listing();
        Listing previous = listings.put(dir, fresh);
        bytes += fresh.weight() - (previous == null ? 0 : previous.weight());
        evict();
    }

    /** An entry was committed into the directory with sequence number {@code seq}. */
    synchronized void added(long dir, long seq, byte[] indexValue) {
        Listing listing = listings.get(dir);
        if (listing == null) {
            return;
        }
        if (listing.count > 0 && listing.cookies[listing.count - 1] >= seq) {
            drop(dir); // not in sequence order: never expected, so never served
            return;
        }
        long before = listing.weight();
        listing.append(seq, indexValue);
        bytes += listing.weight() - before;
        if (listing.weight() > maxDirectoryBytes) {
            drop(dir);
        }
        evict();
    }

    /** The entry with sequence number {@code seq} was removed from the directory. */
    synchronized void removed(long dir, long seq) {
        Listing listing = listings.get(dir);
        if (listing == null) {
            return;
        }
        long before = listing.weight();
        if (!listing.remove(seq)) {
            drop(dir);
            return;
        }
        bytes += listing.weight() - before;
    }

    /** Forgets the directory's listing (the directory is gone). */
    synchronized void drop(long dir) {
        Listing gone = listings.remove(dir);
        if (gone != null) {
            bytes -= gone.weight();
        }
    }

    /** Keeps a listing read whole from the store: sequence numbers and index values, in order. */
    synchronized void put(long dir, long[] seqs, byte[][] indexValues, int count) {
        Listing listing = new Listing();
        for (int i = 0; i < count; i++) {
            listing.append(seqs[i], indexValues[i]);
        }
        if (listing.weight() > maxDirectoryBytes) {
            return;
        }
        Listing previous = listings.put(dir, listing);
        bytes += listing.weight() - (previous == null ? 0 : previous.weight());
        evict();
    }

    /** Up to {@code maxEntries} records after {@code cookie}, when the directory's listing is held. */
    synchronized Optional<Page> page(long dir, long cookie, int maxEntries) {
        Listing listing = listings.get(dir);
        return listing == null ? Optional.empty() : Optional.of(listing.page(cookie, maxEntries));
    }

    synchronized void clear() {
        listings.clear();
        bytes = 0;
    }

    synchronized long bytes() {
        return bytes;
    }

    synchronized boolean holds(long dir) {
        return listings.containsKey(dir);
    }

    private void evict() {
        Iterator<Map.Entry<Long, Listing>> eldest = listings.entrySet().iterator();
        while (bytes > maxBytes && eldest.hasNext()) {
            bytes -= eldest.next().getValue().weight();
            eldest.remove();
        }
    }

    /** One directory: records back to back, with each one's cookie and start; removed ones marked. */
    private static final class Listing {
        long[] cookies = new long[INITIAL_ENTRIES];
        int[] starts = new int[INITIAL_ENTRIES];
        boolean[] removed = new boolean[INITIAL_ENTRIES];
        byte[] records = new byte[INITIAL_ENTRIES * 32];
        int count;
        int length;
        int removedCount;

        long weight() {
            return (long) cookies.length * ENTRY_OVERHEAD_BYTES + records.length;
        }

        void append(long cookie, byte[] indexValue) {
            int record = PackedEntries.recordBytes(indexValue);
            if (count == cookies.length) {
                int grown = count * 2;
                cookies = Arrays.copyOf(cookies, grown);
                starts = Arrays.copyOf(starts, grown);
                removed = Arrays.copyOf(removed, grown);
            }
            if (records.length - length < record) {
                records = Arrays.copyOf(records, Math.max(records.length * 2, length + record));
            }
            cookies[count] = cookie;
            starts[count] = length;
            count++;
            length = PackedEntries.write(records, length, cookie, indexValue);
        }

        /** Marks the entry removed; false when it is not here (the listing no longer matches the store). */
        boolean remove(long cookie) {
            int i = Arrays.binarySearch(cookies, 0, count, cookie);
            if (i < 0 || removed[i]) {
                return false;
            }
            removed[i] = true;
            removedCount++;
            if (removedCount > 16 && removedCount * 2 > count) {
                compact();
            }
            return true;
        }

        private void compact() {
            int kept = 0;
            int keptLength = 0;
            for (int i = 0; i < count; i++) {
                if (removed[i]) {
                    continue;
                }
                int start = starts[i];
                int end = i + 1 < count ? starts[i + 1] : length;
                System.arraycopy(records, start, records, keptLength, end - start);
                cookies[kept] = cookies[i];
                starts[kept] = keptLength;
                kept++;
                keptLength += end - start;
            }
            int capacity = Math.max(INITIAL_ENTRIES, Integer.highestOneBit(Math.max(1, kept)) * 2);
            cookies = Arrays.copyOf(cookies, capacity);
            starts = Arrays.copyOf(starts, capacity);
            removed = new boolean[capacity];
            records = Arrays.copyOf(records, Math.max(INITIAL_ENTRIES * 32, keptLength * 2));
            count = kept;
            length = keptLength;
            removedCount = 0;
        }

        Page page(long cookie, int maxEntries) {
            int i = Arrays.binarySearch(cookies, 0, count, cookie);
            i = i >= 0 ? i + 1 : -i - 1;
            if (removedCount == 0) {
                // Nothing marked: the page is one run of records.
                int last = (int) Math.min(count, (long) i + Math.max(0, maxEntries));
                int start = i < count ? starts[i] : length;
                int size = (last == count ? length : starts[last]) - start;
                byte[] out = Arrays.copyOfRange(records, start, start + size);
                return new Page(out, size, last == count);
            }
            // The records of the page, copied in runs of entries not removed.
            int first = i;
            int taken = 0;
            int size = 0;
            for (int j = i; j < count && taken < maxEntries; j++) {
                if (!removed[j]) {
                    taken++;
                    size += end(j) - starts[j];
                }
                i = j + 1;
            }
            byte[] out = new byte[size];
            int at = 0;
            int runStart = -1;
            for (int j = first; j < i; j++) {
                if (!removed[j] && runStart < 0) {
                    runStart = j;
                }
                if (runStart >= 0 && (removed[j] || j == i - 1)) {
                    int runEnd = removed[j] ? j : j + 1;
                    int bytesOfRun = end(runEnd - 1) - starts[runStart];
                    System.arraycopy(records, starts[runStart], out, at, bytesOfRun);
                    at += bytesOfRun;
                    runStart = -1;
                }
            }
            boolean eof = true;
            for (int j = i; j < count; j++) {
                if (!removed[j]) {
                    eof = false;
                    break;
                }
            }
            return new Page(out, size, eof);
        }

        private int end(int index) {
            return index + 1 < count ? starts[index + 1] : length;
        }
    }
}
