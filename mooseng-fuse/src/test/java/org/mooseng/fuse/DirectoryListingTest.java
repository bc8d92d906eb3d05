package org.mooseng.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;
import org.mooseng.client.DirectoryEntry;
import org.mooseng.client.DirectoryPage;
import org.mooseng.client.FileType;
import org.mooseng.client.MoosengException;
import org.mooseng.common.InodeId;
import org.mooseng.common.Status;

class DirectoryListingTest {
    /** A directory as the master pages it: entries by increasing cookie, counting the calls. */
    private static final class Directory {
        final TreeMap<Long, String> byCookie = new TreeMap<>();
        final List<Long> fetchedAfter = new ArrayList<>();
        /** Cookies whose next fetch fails once, as a master call that timed out would. */
        final Set<Long> failOnce = new HashSet<>();

        Directory(int entries) {
            for (int i = 1; i <= entries; i++) {
                byCookie.put(i * 3L, "f" + i);
            }
        }

        DirectoryPage page(long cookie, int maxEntries) throws MoosengException {
            fetchedAfter.add(cookie);
            if (failOnce.remove(cookie)) {
                throw new MoosengException(Status.ETIMEDOUT, "directory", "no reply");
            }
            List<DirectoryPage.Entry> entries = new ArrayList<>();
            for (var e : byCookie.tailMap(cookie, false).entrySet()) {
                if (entries.size() == maxEntries) {
                    return DirectoryPage.of(entries, false);
                }
                entries.add(new DirectoryPage.Entry(
                        new DirectoryEntry(e.getValue(), new InodeId(100 + e.getKey()), FileType.REGULAR), e.getKey()));
            }
            return DirectoryPage.of(entries, true);
        }
    }

    /** Lists as the kernel does: from each reply's last cookie until an empty reply. */
    private static List<String> listAll(DirectoryListing listing, int perRequest) throws Exception {
        List<String> names = new ArrayList<>();
        long cookie = 0;
        listing.restart();
        while (true) {
            List<DirectoryPage.Entry> entries = listing.entriesAfter(cookie, perRequest).entries();
            if (entries.isEmpty()) {
                return names;
            }
            entries.forEach(e -> names.add(e.entry().name()));
            cookie = entries.getLast().cookie();
        }
    }

    /** Entries of one page fetched from the master. */
    private static final int PAGE = DirectoryListing.FETCH_ENTRIES;
    /** A directory of three pages, the last not full. */
    private static final int THREE_PAGES = 3 * PAGE - 72;

    @Test
    void aLargeDirectoryIsListedOnceInOrderWithAFewMasterCalls() throws Exception {
        Directory dir = new Directory(THREE_PAGES);
        DirectoryListing listing = new DirectoryListing(dir::page, Runnable::run);

        List<String> names = listAll(listing, 100);

        assertThat(names).hasSize(THREE_PAGES).doesNotHaveDuplicates();
        assertThat(names).containsExactlyElementsOf(dir.byCookie.values());
        // Three pages: three fetches, and the empty end needs none.
        assertThat(dir.fetchedAfter).containsExactly(0L, PAGE * 3L, 2L * PAGE * 3L);
    }

    @Test
    void aListingFromOffsetZeroSeesTheDirectoryAsItIsNow() throws Exception {
        Directory dir = new Directory(5);
        DirectoryListing listing = new DirectoryListing(dir::page, Runnable::run);
        assertThat(listAll(listing, 100)).containsExactly("f1", "f2", "f3", "f4", "f5");

        dir.byCookie.remove(6L);
        dir.byCookie.put(100L, "late");

        assertThat(listAll(listing, 100)).containsExactly("f1", "f3", "f4", "f5", "late");
    }

    @Test
    void aResumedPositionOutsideThePageAsksTheMasterFromThere() throws Exception {
        Directory dir = new Directory(10);
        DirectoryListing listing = new DirectoryListing(dir::page, Runnable::run);
        assertThat(listing.entriesAfter(0, 2).entries()).extracting(e -> e.entry().name()).containsExactly("f1", "f2");

        // A cookie the page holds is served from it; one it does not (an entry removed since,
        // or a seekdir to a remembered position) is fetched after, not guessed.
        assertThat(listing.entriesAfter(9, 2).entries()).extracting(e -> e.entry().name()).containsExactly("f4", "f5");
        assertThat(listing.entriesAfter(10, 2).entries()).extracting(e -> e.entry().name()).containsExactly("f4", "f5");

        assertThat(dir.fetchedAfter).containsExactly(0L, 10L);
    }

    /** Runs background work only when told to, so a test sees what was queued and when it ran. */
    private static final class HeldTasks implements Executor {
        final ArrayDeque<Runnable> queued = new ArrayDeque<>();

        @Override
        public void execute(Runnable task) {
            queued.add(task);
        }

        void runAll() {
            while (!queued.isEmpty()) {
                queued.poll().run();
            }
        }
    }

    /** Reads a whole page as the kernel would, 100 entries at a time; returns the last cookie. */
    private static long readFirstPage(DirectoryListing listing) throws Exception {
        long cookie = 0;
        for (int read = 0; read < DirectoryListing.FETCH_ENTRIES; ) {
            List<DirectoryPage.Entry> entries = listing.entriesAfter(cookie, 100).entries();
            read += entries.size();
            cookie = entries.getLast().cookie();
        }
        return cookie;
    }

    @Test
    void theNextPageIsFetchedInTheBackgroundOnceTheKernelStartsOnAPage() throws Exception {
        Directory dir = new Directory(THREE_PAGES);
        HeldTasks background = new HeldTasks();
        DirectoryListing listing = new DirectoryListing(dir::page, background);

        listing.entriesAfter(0, 100);
        assertThat(dir.fetchedAfter).containsExactly(0L);
        assertThat(background.queued).hasSize(1);

        background.runAll();
        long endOfFirstPage = readFirstPage(listing);
        assertThat(endOfFirstPage).isEqualTo(PAGE * 3L);
        List<DirectoryPage.Entry> next = listing.entriesAfter(endOfFirstPage, 100).entries();

        assertThat(next.getFirst().entry().name()).isEqualTo("f" + (PAGE + 1));
        assertThat(dir.fetchedAfter).as("the second page came from the prefetch").containsExactly(0L, PAGE * 3L);
        assertThat(background.queued).as("and the third is on its way").hasSize(1);
    }

    @Test
    void aFailedPrefetchIsFetchedAgainWhenTheKernelGetsThere() throws Exception {
        Directory dir = new Directory(THREE_PAGES);
        dir.failOnce.add(PAGE * 3L);
        DirectoryListing listing = new DirectoryListing(dir::page, Runnable::run);

        long endOfFirstPage = readFirstPage(listing);
        List<DirectoryPage.Entry> next = listing.entriesAfter(endOfFirstPage, 100).entries();

        assertThat(next.getFirst().entry().name()).isEqualTo("f" + (PAGE + 1));
        assertThat(dir.fetchedAfter).startsWith(0L, PAGE * 3L, PAGE * 3L);
    }

    @Test
    void aSeekElsewhereOrARewindDoesNotUseThePrefetchedPage() throws Exception {
        Directory dir = new Directory(THREE_PAGES);
        long beyond = (2L * PAGE + 100) * 3L; // in the last page: nothing more to prefetch
        HeldTasks background = new HeldTasks();
        DirectoryListing listing = new DirectoryListing(dir::page, background);
        listing.entriesAfter(0, 100);

        // a position past the buffered page, not where the prefetch starts
        assertThat(listing.entriesAfter(beyond, 1).entries().getFirst().entry().name()).isEqualTo("f" + (2 * PAGE + 101));
        listing.restart();
        dir.byCookie.put(1L, "new");
        background.runAll();

        assertThat(listing.entriesAfter(0, 1).entries().getFirst().entry().name()).as("the rewind lists the directory as it is now")
                .isEqualTo("new");
        assertThat(dir.fetchedAfter).containsExactly(0L, beyond, PAGE * 3L, 0L);
    }
}
