package org.mooseng.fuse;

import java.util.List;
import org.mooseng.client.DirectoryPage;
import org.mooseng.client.MoosengException;

/**
 * The listing state of one open directory handle: the last page fetched from the master,
 * from which the kernel's small readdir requests (one 4 KiB buffer each) are answered, so a
 * directory of thousands of entries costs a few master calls instead of one per buffer.
 *
 * <p>Positions are the master's cookies, so a listing resumes where it stopped whatever
 * happened to the directory in between. Offset 0 (the first readdir, or after rewinddir) always
 * fetches again: a new listing sees the directory as it is now, as POSIX asks of rewinddir.
 * The kernel serializes readdir on one open directory; the lock only guards against a
 * caller that does not.
 */
final class DirectoryListing {
    /** Entries fetched from the master at once; bounds the memory an open directory holds. */
    static final int FETCH_ENTRIES = 1024;

    /** Fetches up to {@code maxEntries} entries after {@code cookie}. */
    @FunctionalInterface
    interface Fetch {
        DirectoryPage page(long cookie, int maxEntries) throws MoosengException;
    }

    private final Fetch fetch;
    /** The cookie the buffered page starts after; -1 before the first fetch. */
    private long startCookie = -1;
    private DirectoryPage page;

    DirectoryListing(Fetch fetch) {
        this.fetch = fetch;
    }

    /**
     * At most {@code maxEntries} entries after {@code cookie} (0 = from the start), from the
     * buffered page when it covers that position; empty at the end of the directory.
     */
    synchronized List<DirectoryPage.Entry> entriesAfter(long cookie, int maxEntries) throws MoosengException {
        int from = indexAfter(cookie);
        if (from < 0 || (from == page.entries().size() && !page.eof())) {
            page = fetch.page(cookie, Math.max(maxEntries, FETCH_ENTRIES));
            startCookie = cookie;
            from = 0;
        }
        List<DirectoryPage.Entry> entries = page.entries();
        return entries.subList(from, Math.min(entries.size(), from + maxEntries));
    }

    /** Forgets the buffered page: the next request asks the master (a listing from offset 0). */
    synchronized void restart() {
        page = null;
        startCookie = -1;
    }

    /** The index in the buffered page of the entry that follows {@code cookie}, or -1 if the page does not hold it. */
    private int indexAfter(long cookie) {
        if (page == null) {
            return -1;
        }
        if (cookie == startCookie) {
            return 0;
        }
        List<DirectoryPage.Entry> entries = page.entries();
        int low = 0;
        int high = entries.size() - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            long c = entries.get(mid).cookie();
            if (c < cookie) {
                low = mid + 1;
            } else if (c > cookie) {
                high = mid - 1;
            } else {
                return mid + 1;
            }
        }
        return -1;
    }
}
