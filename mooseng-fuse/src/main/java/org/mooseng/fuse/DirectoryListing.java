package org.mooseng.fuse;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.IntStream;
import org.mooseng.client.DirectoryPage;
import org.mooseng.client.MoosengException;

/**
 * The listing state of one open directory handle: the last page fetched from the master,
 * from which the kernel's small readdir requests (one 4 KiB buffer each) are answered, so a
 * directory of thousands of entries costs a few master calls instead of one per buffer.
 *
 * <p>Once the kernel starts on a page that is not the directory's last, the next one is fetched
 * in the background, so the master pages while the kernel reads: a long listing costs about
 * the larger of the two instead of their sum. The prefetched page is used when the kernel
 * continues from the end of the current one; otherwise (a seek elsewhere, a rewind, a failed
 * prefetch) it is dropped and the page asked for is fetched.
 *
 * <p>Positions are the master's cookies, so a listing resumes where it stopped whatever
 * happened to the directory in between. Offset 0 (the first readdir, or after rewinddir) always
 * fetches again: a new listing sees the directory as it is now, as POSIX asks of rewinddir.
 * The kernel serializes readdir on one open directory; the lock only guards against a
 * caller that does not.
 */
final class DirectoryListing {
    /** Entries fetched from the master at once; bounds the memory an open directory holds. */
    static final int FETCH_ENTRIES = 4096;

    /** Fetches up to {@code maxEntries} entries after {@code cookie}. */
    @FunctionalInterface
    interface Fetch {
        DirectoryPage page(long cookie, int maxEntries) throws MoosengException;
    }

    /** Entries {@code from} (inclusive) to {@code to} (exclusive) of a page. */
    record Slice(DirectoryPage page, int from, int to) {
        /** The slice's entries as objects, names decoded. */
        List<DirectoryPage.Entry> entries() {
            return IntStream.range(from, to).mapToObj(page::entry).toList();
        }
    }

    /** A page being fetched in the background: the entries after {@code cookie}. */
    private record Prefetch(long cookie, CompletableFuture<DirectoryPage> page) {
    }

    private final Fetch fetch;
    private final Executor background;
    /** The cookie the buffered page starts after; -1 before the first fetch. */
    private long startCookie = -1;
    private DirectoryPage page;
    private Prefetch next;

    /** A listing that fetches the page after the current one on {@code background}. */
    DirectoryListing(Fetch fetch, Executor background) {
        this.fetch = fetch;
        this.background = background;
    }

    /**
     * At most {@code maxEntries} entries after {@code cookie} (0 = from the start), from the
     * buffered page when it covers that position; empty at the end of the directory.
     */
    synchronized Slice entriesAfter(long cookie, int maxEntries) throws MoosengException {
        int from = indexAfter(cookie);
        if (from < 0 || (from == page.size() && !page.eof())) {
            page = pageAfter(cookie, Math.max(maxEntries, FETCH_ENTRIES));
            startCookie = cookie;
            from = 0;
            prefetchAfter(page);
        }
        return new Slice(page, from, Math.min(page.size(), from + maxEntries));
    }

    /** Forgets the buffered pages: the next request asks the master (a listing from offset 0). */
    synchronized void restart() {
        page = null;
        startCookie = -1;
        next = null;
    }

    /** The prefetched page when it starts after {@code cookie} and arrived whole, else a fetch now. */
    private DirectoryPage pageAfter(long cookie, int maxEntries) throws MoosengException {
        Prefetch prefetched = next;
        next = null;
        if (prefetched != null && prefetched.cookie() == cookie) {
            DirectoryPage ready = prefetched.page().join();
            if (ready != null) {
                return ready;
            }
        }
        return fetch.page(cookie, maxEntries);
    }

    private void prefetchAfter(DirectoryPage current) {
        if (current.eof() || current.size() == 0) {
            return;
        }
        long after = current.cookie(current.size() - 1);
        CompletableFuture<DirectoryPage> fetched = new CompletableFuture<>();
        try {
            background.execute(() -> {
                try {
                    fetched.complete(fetch.page(after, FETCH_ENTRIES));
                } catch (MoosengException | RuntimeException e) {
                    fetched.complete(null); // the kernel's request fetches it again and reports what fails then
                }
            });
        } catch (RejectedExecutionException e) {
            return; // unmounting
        }
        next = new Prefetch(after, fetched);
    }

    /** The index in the buffered page of the entry that follows {@code cookie}, or -1 if the page does not hold it. */
    private int indexAfter(long cookie) {
        if (page == null) {
            return -1;
        }
        if (cookie == startCookie) {
            return 0;
        }
        int low = 0;
        int high = page.size() - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            long c = page.cookie(mid);
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
