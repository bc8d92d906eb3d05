package org.mooseng.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.mooseng.client.DirectoryEntry;
import org.mooseng.client.DirectoryPage;
import org.mooseng.client.FileType;
import org.mooseng.common.InodeId;

class DirectoryListingTest {
    /** A directory as the master pages it: entries by increasing cookie, counting the calls. */
    private static final class Directory {
        final TreeMap<Long, String> byCookie = new TreeMap<>();
        final List<Long> fetchedAfter = new ArrayList<>();

        Directory(int entries) {
            for (int i = 1; i <= entries; i++) {
                byCookie.put(i * 3L, "f" + i);
            }
        }

        DirectoryPage page(long cookie, int maxEntries) {
            fetchedAfter.add(cookie);
            List<DirectoryPage.Entry> entries = new ArrayList<>();
            for (var e : byCookie.tailMap(cookie, false).entrySet()) {
                if (entries.size() == maxEntries) {
                    return new DirectoryPage(entries, false);
                }
                entries.add(new DirectoryPage.Entry(
                        new DirectoryEntry(e.getValue(), new InodeId(100 + e.getKey()), FileType.REGULAR), e.getKey()));
            }
            return new DirectoryPage(entries, true);
        }
    }

    /** Lists as the kernel does: from each reply's last cookie until an empty reply. */
    private static List<String> listAll(DirectoryListing listing, int perRequest) throws Exception {
        List<String> names = new ArrayList<>();
        long cookie = 0;
        listing.restart();
        while (true) {
            List<DirectoryPage.Entry> entries = listing.entriesAfter(cookie, perRequest);
            if (entries.isEmpty()) {
                return names;
            }
            entries.forEach(e -> names.add(e.entry().name()));
            cookie = entries.getLast().cookie();
        }
    }

    @Test
    void aLargeDirectoryIsListedOnceInOrderWithAFewMasterCalls() throws Exception {
        Directory dir = new Directory(3000);
        DirectoryListing listing = new DirectoryListing(dir::page);

        List<String> names = listAll(listing, 100);

        assertThat(names).hasSize(3000).doesNotHaveDuplicates();
        assertThat(names).containsExactlyElementsOf(dir.byCookie.values());
        // 3000 entries in pages of 1024: three fetches, and the empty end needs none.
        assertThat(dir.fetchedAfter).containsExactly(0L, 1024 * 3L, 2048 * 3L);
    }

    @Test
    void aListingFromOffsetZeroSeesTheDirectoryAsItIsNow() throws Exception {
        Directory dir = new Directory(5);
        DirectoryListing listing = new DirectoryListing(dir::page);
        assertThat(listAll(listing, 100)).containsExactly("f1", "f2", "f3", "f4", "f5");

        dir.byCookie.remove(6L);
        dir.byCookie.put(100L, "late");

        assertThat(listAll(listing, 100)).containsExactly("f1", "f3", "f4", "f5", "late");
    }

    @Test
    void aResumedPositionOutsideThePageAsksTheMasterFromThere() throws Exception {
        Directory dir = new Directory(10);
        DirectoryListing listing = new DirectoryListing(dir::page);
        assertThat(listing.entriesAfter(0, 2)).extracting(e -> e.entry().name()).containsExactly("f1", "f2");

        // A cookie the page holds is served from it; one it does not (an entry removed since,
        // or a seekdir to a remembered position) is fetched after, not guessed.
        assertThat(listing.entriesAfter(9, 2)).extracting(e -> e.entry().name()).containsExactly("f4", "f5");
        assertThat(listing.entriesAfter(10, 2)).extracting(e -> e.entry().name()).containsExactly("f4", "f5");

        assertThat(dir.fetchedAfter).containsExactly(0L, 10L);
    }
}
