package org.mooseng.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mooseng.meta.TestNamespace.ROOT;
import static org.mooseng.meta.TestNamespace.ROOT_CRED;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.proto.DirEntry;
import org.mooseng.proto.ReadDirReply;

class ReadDirPagingTest {
    static final int ENTRIES = 20_000;
    static final int PAGE = 500;

    @TempDir
    Path dir;

    @Test
    void pagingOverTwentyThousandEntriesWithInsertsAndDeletesBetweenPagesListsUntouchedEntriesOnce()
            throws Exception {
        try (TestNamespace ns = TestNamespace.formatted(dir)) {
            long d = ns.dirId(ROOT_CRED, ROOT, "big");
            for (int i = 0; i < ENTRIES; i++) {
                ns.fileId(ROOT_CRED, d, "f" + i);
            }
            Set<String> touched = new HashSet<>();
            Map<String, Integer> seen = new HashMap<>();
            long cookie = 0;
            int page = 0;
            while (true) {
                ReadDirReply reply = ns.store.readDir(ROOT_CRED, d, cookie, PAGE);
                assertThat(reply.getStatus()).isZero();
                for (DirEntry e : reply.getEntriesList()) {
                    seen.merge(e.getName(), 1, Integer::sum);
                    cookie = e.getCookie();
                }
                if (reply.getEof()) {
                    break;
                }
                // Between pages: delete one entry already listed and one not yet listed,
                // add a new one, and rename one not yet listed (a delete plus an insert).
                int behind = page * PAGE;
                int ahead = Math.min(ENTRIES - 1, behind + 3 * PAGE);
                for (String victim : new String[] {"f" + behind, "f" + ahead}) {
                    if (touched.add(victim)) {
                        ns.expectOk(ns.unlink(ROOT_CRED, d, victim));
                    }
                }
                ns.fileId(ROOT_CRED, d, "new" + page);
                touched.add("new" + page);
                String renamed = "f" + Math.min(ENTRIES - 1, ahead + 1);
                if (touched.add(renamed)) {
                    ns.expectOk(ns.rename(ROOT_CRED, d, renamed, d, "moved" + page));
                    touched.add("moved" + page);
                }
                page++;
            }
            assertThat(page).isGreaterThan(30);
            for (int i = 0; i < ENTRIES; i++) {
                String name = "f" + i;
                if (!touched.contains(name)) {
                    assertThat(seen.get(name)).as(name).isEqualTo(1);
                }
            }
            assertThat(seen.values()).allMatch(count -> count == 1);
        }
    }

    @Test
    void readersPagingWhileTheApplyThreadWritesSeeEveryUntouchedEntryOnce() throws Exception {
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try (TestNamespace ns = TestNamespace.formatted(dir)) {
            long d = ns.dirId(ROOT_CRED, ROOT, "busy");
            for (int i = 0; i < 3000; i++) {
                ns.fileId(ROOT_CRED, d, "stable" + i);
            }
            AtomicBoolean stop = new AtomicBoolean();
            Future<Integer> writes = writer.submit(() -> {
                int n = 0;
                while (!stop.get()) {
                    ns.expectOk(ns.file(ROOT_CRED, d, "churn" + n));
                    if (n > 0) {
                        ns.expectOk(ns.unlink(ROOT_CRED, d, "churn" + (n - 1)));
                    }
                    n++;
                }
                return n;
            });
            try {
                for (int round = 0; round < 5; round++) {
                    Map<String, Integer> seen = new HashMap<>();
                    long cookie = 0;
                    ReadDirReply reply;
                    do {
                        reply = ns.store.readDir(ROOT_CRED, d, cookie, 97);
                        assertThat(reply.getStatus()).isZero();
                        for (DirEntry e : reply.getEntriesList()) {
                            seen.merge(e.getName(), 1, Integer::sum);
                            cookie = e.getCookie();
                        }
                    } while (!reply.getEof());
                    for (int i = 0; i < 3000; i++) {
                        assertThat(seen.get("stable" + i)).isEqualTo(1);
                    }
                }
            } finally {
                stop.set(true);
                assertThat(writes.get(30, TimeUnit.SECONDS)).isPositive();
            }
        } finally {
            writer.shutdownNow();
            assertThat(writer.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
    }
}
