package org.mooseng.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mooseng.meta.TestNamespace.ROOT;
import static org.mooseng.meta.TestNamespace.ROOT_CRED;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.proto.DirEntry;
import org.mooseng.proto.FileType;
import org.mooseng.proto.ReadDirReply;

class ListingCacheTest {
    @TempDir
    Path dir;

    private static byte[] indexValue(long inode, String name) {
        return DirIndexValue.encode(inode, FileType.REGULAR, name);
    }

    private static List<Long> cookies(ListingCache cache, long dir, long after, int max) {
        ListingCache.Page page = cache.page(dir, after, max).orElseThrow();
        List<Long> out = new ArrayList<>();
        for (DirEntry e : ReadDirPagingTest.decode(com.google.protobuf.ByteString.copyFrom(page.records(), 0,
                page.length()))) {
            out.add(e.getCookie());
        }
        return out;
    }

    @Test
    void pagesSkipRemovedEntriesAndSayWhenNothingFollows() {
        ListingCache cache = new ListingCache(1 << 20);
        assertThat(cache.page(7, 0, 10)).isEmpty();
        cache.empty(7);
        for (long seq = 1; seq <= 100; seq++) {
            cache.added(7, seq, indexValue(1000 + seq, "n" + seq));
        }
        // Nothing removed yet: pages are single runs of records.
        assertThat(cookies(cache, 7, 0, 3)).containsExactly(1L, 2L, 3L);
        assertThat(cookies(cache, 7, 97, 10)).containsExactly(98L, 99L, 100L);
        assertThat(cache.page(7, 97, 3).orElseThrow().eof()).isTrue();
        assertThat(cache.page(7, 96, 3).orElseThrow().eof()).isFalse();
        assertThat(cookies(cache, 7, 100, 10)).isEmpty();
        assertThat(cookies(cache, 7, 0, 0)).isEmpty();
        for (long seq = 2; seq <= 100; seq += 3) {
            cache.removed(7, seq);
        }
        assertThat(cookies(cache, 7, 0, 5)).containsExactly(1L, 3L, 4L, 6L, 7L);
        assertThat(cookies(cache, 7, 2, 3)).containsExactly(3L, 4L, 6L);
        assertThat(cookies(cache, 7, 98, 10)).containsExactly(99L, 100L);
        assertThat(cache.page(7, 98, 10).orElseThrow().eof()).isTrue();
        assertThat(cache.page(7, 96, 2).orElseThrow().eof()).isFalse();
        cache.removed(7, 99);
        cache.removed(7, 100);
        // Only removed entries after the page: nothing follows it.
        assertThat(cache.page(7, 96, 2).orElseThrow().eof()).isTrue();
        assertThat(cookies(cache, 7, 100, 10)).isEmpty();
        // Enough removals compact it; what is listed stays the same.
        for (long seq = 1; seq <= 98; seq++) {
            if (seq % 3 != 2 && seq % 5 != 0) {
                cache.removed(7, seq);
            }
        }
        assertThat(cookies(cache, 7, 0, 100)).containsExactly(10L, 15L, 25L, 30L, 40L, 45L, 55L, 60L, 70L, 75L,
                85L, 90L);
    }

    @Test
    void aChangeThatDoesNotMatchTheListingDropsItAndTheBoundHoldsByBytes() {
        ListingCache cache = new ListingCache(64 << 10);
        cache.empty(1);
        cache.added(1, 5, indexValue(9, "a"));
        cache.added(1, 5, indexValue(10, "b")); // not after the last: the listing is not trusted any more
        assertThat(cache.holds(1)).isFalse();
        cache.empty(2);
        cache.removed(2, 3); // never listed
        assertThat(cache.holds(2)).isFalse();

        // A directory past a quarter of the bound is not kept; the least recently used go first.
        cache.empty(3);
        for (long seq = 1; seq <= 2000; seq++) {
            cache.added(3, seq, indexValue(seq, "name-" + seq));
        }
        assertThat(cache.holds(3)).isFalse();
        for (long d = 10; d < 200; d++) {
            cache.empty(d);
            cache.added(d, 1, indexValue(d, "only"));
        }
        assertThat(cache.bytes()).isLessThanOrEqualTo(64 << 10);
        assertThat(cache.holds(199)).isTrue();
        assertThat(cache.holds(10)).isFalse();
    }

    /**
     * Random creates, removals and renames over a few directories: after every change, every
     * directory's packed listing (from the cache, or read whole into it at its first listing)
     * pages through exactly what the index lists. The store is reopened halfway, so directories
     * made before are listed first from RocksDB.
     */
    @Test
    void cachedListingsPageThroughExactlyWhatTheIndexHolds() throws Exception {
        Random random = new Random(42);
        TestNamespace ns = TestNamespace.formatted(dir);
        try {
            List<Long> dirs = new ArrayList<>(List.of(ROOT));
            List<long[]> files = new ArrayList<>(); // parent, name number
            int names = 0;
            for (int step = 0; step < 1500; step++) {
                if (step == 750) {
                    ns.close();
                    ns = TestNamespace.open(dir);
                }
                int kind = random.nextInt(10);
                long parent = dirs.get(random.nextInt(dirs.size()));
                if (kind < 5 || files.isEmpty()) {
                    int n = names++;
                    ns.expectOk(ns.file(ROOT_CRED, parent, "file-" + n));
                    files.add(new long[] {parent, n});
                } else if (kind < 7) {
                    long[] victim = files.remove(random.nextInt(files.size()));
                    ns.expectOk(ns.unlink(ROOT_CRED, victim[0], "file-" + victim[1]));
                } else if (kind < 9) {
                    long[] moved = files.get(random.nextInt(files.size()));
                    int n = names++;
                    ns.expectOk(ns.rename(ROOT_CRED, moved[0], "file-" + moved[1], parent, "file-" + n));
                    moved[0] = parent;
                    moved[1] = n;
                } else if (dirs.size() < 6) {
                    dirs.add(ns.dirId(ROOT_CRED, ROOT, "dir-" + names++));
                }
                if (step % 25 == 0 || step > 1450) {
                    for (long d : dirs) {
                        int page = 1 + random.nextInt(40);
                        assertThat(listing(ns, d, page, true)).as("directory %d, pages of %d", d, page)
                                .isEqualTo(listing(ns, d, page, false));
                    }
                }
            }
            assertThat(ns.store.readDirPacked(ROOT_CRED, dirs.getLast(), 0, 10).getStatus()).isZero();
        } finally {
            ns.close();
        }
    }

    private static List<String> listing(TestNamespace ns, long dir, int page, boolean packed) {
        List<String> out = new ArrayList<>();
        long cookie = 0;
        ReadDirReply reply;
        do {
            reply = ReadDirPagingTest.page(ns, packed, dir, cookie, page);
            assertThat(reply.getStatus()).isZero();
            for (DirEntry e : reply.getEntriesList()) {
                out.add(e.getCookie() + ":" + e.getInode() + ":" + e.getType() + ":"
                        + new String(e.getNameBytes().toByteArray(), StandardCharsets.UTF_8));
                cookie = e.getCookie();
            }
        } while (!reply.getEof());
        return out;
    }
}
