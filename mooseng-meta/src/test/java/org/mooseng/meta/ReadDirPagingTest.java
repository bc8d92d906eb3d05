package org.mooseng.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mooseng.meta.TestNamespace.ROOT;
import static org.mooseng.meta.TestNamespace.ROOT_CRED;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mooseng.proto.DirEntry;
import org.mooseng.proto.FileType;
import org.mooseng.proto.ReadDirReply;

class ReadDirPagingTest {
    static final int ENTRIES = 20_000;
    static final int PAGE = 500;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "packed: {0}")
    @ValueSource(booleans = {false, true})
    void pagingOverTwentyThousandEntriesWithInsertsAndDeletesBetweenPagesListsUntouchedEntriesOnce(boolean packed)
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
                ReadDirReply reply = page(ns, packed, d, cookie, PAGE);
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

    @ParameterizedTest(name = "packed: {0}")
    @ValueSource(booleans = {false, true})
    void readersPagingWhileTheApplyThreadWritesSeeEveryUntouchedEntryOnce(boolean packed) throws Exception {
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
                        reply = page(ns, packed, d, cookie, 97);
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

    /**
     * A page as DirEntry messages: asked for as messages (listed from the index), or packed
     * (from the listing cache) and decoded.
     */
    static ReadDirReply page(TestNamespace ns, boolean packed, long dir, long cookie, int max) {
        if (!packed) {
            return ns.store.readDir(ROOT_CRED, dir, cookie, max);
        }
        ReadDirReply reply = ns.store.readDirPacked(ROOT_CRED, dir, cookie, max);
        return reply.toBuilder().clearPackedEntries().addAllEntries(decode(reply.getPackedEntries())).build();
    }

    /** The records of packed_entries: cookie u64, inode u64, type u8, name length u16, name. */
    static List<DirEntry> decode(ByteString packed) {
        ByteBuffer records = packed.asReadOnlyByteBuffer();
        List<DirEntry> entries = new ArrayList<>();
        while (records.hasRemaining()) {
            long cookie = records.getLong();
            long inode = records.getLong();
            FileType type = FileType.forNumber(records.get());
            byte[] name = new byte[records.getShort() & 0xFFFF];
            records.get(name);
            entries.add(DirEntry.newBuilder().setCookie(cookie).setInode(inode).setType(type)
                    .setName(new String(name, StandardCharsets.UTF_8)).build());
        }
        return entries;
    }
}
