package org.mooseng.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mooseng.meta.TestNamespace.ALICE;
import static org.mooseng.meta.TestNamespace.BOB;
import static org.mooseng.meta.TestNamespace.EEXIST;
import static org.mooseng.meta.TestNamespace.EINVAL;
import static org.mooseng.meta.TestNamespace.ENOENT;
import static org.mooseng.meta.TestNamespace.ROOT;
import static org.mooseng.meta.TestNamespace.ROOT_CRED;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.proto.CreateOp;
import org.mooseng.proto.FileType;
import org.mooseng.proto.LinkOp;
import org.mooseng.proto.MetaOp;
import org.mooseng.proto.MetaResult;
import org.mooseng.proto.RenameOp;
import org.mooseng.proto.SetAttrOp;
import org.mooseng.proto.SymlinkOp;
import org.mooseng.proto.UnlinkOp;

/** A retried op (same request id) takes effect once and is answered with its first result. */
class AppliedRequestsTest {
    private static final long RETENTION = AppliedRequests.RETENTION_SECONDS;

    @TempDir
    Path dir;
    TestNamespace ns;
    private int nextId;

    @BeforeEach
    void open() throws Exception {
        ns = TestNamespace.formatted(dir.resolve("ns"));
    }

    @AfterEach
    void close() {
        ns.close();
    }

    private ByteString newId() {
        return ByteString.copyFrom(("request-" + nextId++).getBytes(StandardCharsets.UTF_8));
    }

    /** Applies the op, then its retry one second later; the retry must change nothing and answer the same. */
    private MetaResult appliedTwice(MetaOp.Builder op) {
        MetaOp.Builder withId = op.setRequestId(newId());
        MetaResult first = ns.apply(ALICE, withId);
        String after = ns.dump();
        ns.tick();
        MetaResult retry = ns.apply(ALICE, withId);
        assertThat(retry).isEqualTo(first);
        assertThat(ns.dump()).as("the retry must change nothing").isEqualTo(after);
        return first;
    }

    private static MetaOp.Builder create(long parent, String name, FileType type, boolean exclusive) {
        return MetaOp.newBuilder().setCreate(CreateOp.newBuilder().setParent(parent).setName(name).setType(type)
                .setMode(type == FileType.DIRECTORY ? 0755 : 0644).setExclusive(exclusive));
    }

    private static MetaOp.Builder unlink(long parent, String name) {
        return MetaOp.newBuilder().setUnlink(UnlinkOp.newBuilder().setParent(parent).setName(name));
    }

    private static MetaOp.Builder rename(long parent, String name, long newParent, String newName) {
        return MetaOp.newBuilder().setRename(RenameOp.newBuilder().setParent(parent).setName(name)
                .setNewParent(newParent).setNewName(newName));
    }

    @Test
    void retriedExclusiveCreateCreatesOnceAndSucceedsInsteadOfEexist() {
        long inodesBefore = ns.store.stats().inodes();
        MetaResult first = ns.expectOk(appliedTwice(create(ROOT, "f", FileType.REGULAR, true)));
        assertThat(ns.lookupId(ROOT, "f")).isEqualTo(first.getAttr().getInode());
        assertThat(ns.store.stats().inodes()).isEqualTo(inodesBefore + 1);
        // Without the id the same op is a new one, and fails as POSIX says.
        assertThat(ns.createExclusive(ALICE, ROOT, "f", true).getStatus()).isEqualTo(EEXIST);
    }

    @Test
    void retriedMkdirSymlinkAndMknodEachCreateOnce() {
        long dirInode = ns.expectOk(appliedTwice(create(ROOT, "d", FileType.DIRECTORY, false))).getAttr().getInode();
        assertThat(ns.attr(ROOT).getNlink()).isEqualTo(3);
        ns.expectOk(appliedTwice(MetaOp.newBuilder().setSymlink(SymlinkOp.newBuilder().setParent(dirInode)
                .setName("s").setTarget("/elsewhere"))));
        ns.expectOk(appliedTwice(create(dirInode, "fifo", FileType.FIFO, false)));
        assertThat(ns.list(dirInode)).hasSize(2);
        assertThat(ns.store.stats().directories()).isEqualTo(2);
    }

    @Test
    void retriedLinkCountsTheNewNameOnce() {
        long file = ns.fileId(ALICE, ROOT, "f");
        MetaResult linked = ns.expectOk(appliedTwice(MetaOp.newBuilder().setLink(LinkOp.newBuilder().setInode(file)
                .setNewParent(ROOT).setNewName("g"))));
        assertThat(linked.getAttr().getNlink()).isEqualTo(2);
        assertThat(ns.attr(file).getNlink()).isEqualTo(2);
    }

    @Test
    void retriedRenameSucceedsInsteadOfEnoentAndDoesNotMoveTheNextFileOfThatName() {
        long moved = ns.fileId(ALICE, ROOT, "a");
        MetaOp.Builder op = rename(ROOT, "a", ROOT, "b").setRequestId(newId());
        MetaResult first = ns.expectOk(ns.apply(ALICE, op));
        // Another client reuses the old name before the retry arrives.
        long newcomer = ns.fileId(BOB, ROOT, "a");
        MetaResult retry = ns.apply(ALICE, op);
        assertThat(retry).isEqualTo(first);
        assertThat(ns.lookupId(ROOT, "a")).isEqualTo(newcomer);
        assertThat(ns.lookupId(ROOT, "b")).isEqualTo(moved);
    }

    @Test
    void retriedUnlinkSucceedsInsteadOfEnoentAndSparesTheNextFileOfThatName() {
        ns.fileId(ALICE, ROOT, "x");
        MetaOp.Builder op = unlink(ROOT, "x").setRequestId(newId());
        MetaResult first = ns.expectOk(ns.apply(ALICE, op));
        long newcomer = ns.fileId(BOB, ROOT, "x");
        assertThat(ns.apply(ALICE, op)).isEqualTo(first);
        assertThat(ns.lookupId(ROOT, "x")).isEqualTo(newcomer);

        ns.mkdir(ALICE, ROOT, "gone");
        ns.expectOk(appliedTwice(MetaOp.newBuilder().setUnlink(UnlinkOp.newBuilder().setParent(ROOT)
                .setName("gone").setIsDir(true))));
    }

    @Test
    void retriedSetAttrDoesNotUndoALaterChangeNorTouchTheCtimeAgain() {
        long file = ns.fileId(ALICE, ROOT, "f");
        MetaOp.Builder chmod = MetaOp.newBuilder().setSetAttr(SetAttrOp.newBuilder().setInode(file).setMode(0600)
                .setValid(SetAttrOp.Field.SET_MODE_VALUE)).setRequestId(newId());
        MetaResult first = ns.expectOk(ns.apply(ALICE, chmod));
        ns.tick();
        ns.expectOk(ns.chmod(ALICE, file, 0640));
        var ctime = ns.attr(file).getCtime();
        ns.tick();
        assertThat(ns.apply(ALICE, chmod)).isEqualTo(first);
        assertThat(ns.attr(file).getMode()).isEqualTo(0640);
        assertThat(ns.attr(file).getCtime()).isEqualTo(ctime);
    }

    @Test
    void aRejectedOpIsRejectedAgainOnRetryEvenWhenItWouldNowSucceed() {
        MetaOp.Builder op = create(42_000, "late", FileType.REGULAR, false).setRequestId(newId());
        MetaResult first = ns.apply(ALICE, op);
        assertThat(first.getStatus()).isEqualTo(ENOENT);
        MetaOp.Builder inRoot = create(ROOT, "f", FileType.REGULAR, true).setRequestId(newId());
        ns.fileId(ALICE, ROOT, "f");
        MetaResult exists = ns.apply(ALICE, inRoot);
        assertThat(exists.getStatus()).isEqualTo(EEXIST);
        ns.expectOk(ns.unlink(ALICE, ROOT, "f"));
        // The client was (or would have been) told EEXIST: the retry must say the same, not create.
        assertThat(ns.apply(ALICE, inRoot)).isEqualTo(exists);
        assertThat(ns.store.lookup(ROOT_CRED, ROOT, "f").getStatus()).isEqualTo(ENOENT);
    }

    @Test
    void anIdReusedForAnotherKindOfOpOrTooLongIsEinvalAndChangesNothing() {
        ByteString id = newId();
        ns.expectOk(ns.apply(ALICE, create(ROOT, "f", FileType.REGULAR, false).setRequestId(id)));
        String before = ns.dump();
        MetaResult reused = ns.apply(ALICE, unlink(ROOT, "f").setRequestId(id));
        assertThat(reused.getStatus()).isEqualTo(EINVAL);
        assertThat(reused.getMessage()).contains("CREATE").contains("UNLINK");
        MetaResult tooLong = ns.apply(ALICE, unlink(ROOT, "f")
                .setRequestId(ByteString.copyFrom(new byte[AppliedRequests.MAX_REQUEST_ID_BYTES + 1])));
        assertThat(tooLong.getStatus()).isEqualTo(EINVAL);
        assertThat(ns.dump()).isEqualTo(before);
        assertThat(ns.store.appliedRequests()).isEqualTo(1);
    }

    @Test
    void anEntryLivesForTheRetentionOfLeaderTimeThenARetryIsANewOp() {
        MetaOp.Builder op = create(ROOT, "d", FileType.DIRECTORY, false).setRequestId(newId());
        ns.expectOk(ns.apply(ALICE, op));
        long recordedAt = ns.now.getSeconds();

        ns.now = TestNamespace.time(recordedAt + RETENTION - 1, 0);
        ns.fileId(ALICE, ROOT, "other"); // an apply sweeps, but nothing is old enough yet
        assertThat(ns.store.appliedRequests()).isEqualTo(1);
        assertThat(ns.apply(ALICE, op).getStatus()).isZero();

        ns.now = TestNamespace.time(recordedAt + RETENTION + 1, 0);
        ns.fileId(ALICE, ROOT, "later");
        assertThat(ns.store.appliedRequests()).isZero();
        assertThat(ns.apply(ALICE, op).getStatus()).as("forgotten: applied as a new op").isEqualTo(EEXIST);
    }

    @Test
    void eachApplySweepsABoundedNumberOfTheOldestEntries() {
        int recorded = 3 * AppliedRequests.SWEEP_PER_APPLY + 5;
        for (int i = 0; i < recorded; i++) {
            ns.expectOk(ns.apply(ALICE, create(ROOT, "f" + i, FileType.REGULAR, false).setRequestId(newId())));
            ns.tick();
        }
        ns.now = TestNamespace.time(ns.now.getSeconds() + RETENTION, 0);
        List<Long> sizes = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ns.fileId(ALICE, ROOT, "sweeper" + i); // no request id: only sweeps
            sizes.add(ns.store.appliedRequests());
        }
        int per = AppliedRequests.SWEEP_PER_APPLY;
        assertThat(sizes).containsExactly((long) recorded - per, (long) recorded - 2 * per, 5L, 0L);
    }

    @Test
    void theTableSurvivesReopenAndCheckpointRestore() throws Exception {
        MetaOp.Builder beforeCheckpoint = create(ROOT, "kept", FileType.REGULAR, true).setRequestId(newId());
        MetaResult first = ns.expectOk(ns.apply(ALICE, beforeCheckpoint));
        Path checkpoint = dir.resolve("checkpoint");
        ns.store.checkpoint(checkpoint);
        ns.close();

        ns = TestNamespace.open(dir.resolve("ns"));
        assertThat(ns.apply(ALICE, beforeCheckpoint)).isEqualTo(first);
        MetaOp.Builder afterCheckpoint = create(ROOT, "dropped", FileType.REGULAR, true).setRequestId(newId());
        ns.expectOk(ns.apply(ALICE, afterCheckpoint));

        ns.store.restore(checkpoint);
        assertThat(ns.store.appliedRequests()).isEqualTo(1);
        assertThat(ns.store.apply(ns.store.lastAppliedIndex() + 1,
                beforeCheckpoint.setCred(ALICE).setNow(ns.now).build())).isEqualTo(first);
        // The checkpoint predates the second op: there it was never applied.
        assertThat(ns.store.apply(ns.store.lastAppliedIndex() + 1,
                afterCheckpoint.setCred(ALICE).setNow(ns.now).build()).getStatus()).isZero();
    }

    /**
     * The sweep starts where the previous one stopped (a hint kept in memory). A store that
     * reopens mid-way, as a restarted replica does, loses the hint and must still decide the
     * same: same results, same table, same namespace, also when a leader's clock runs behind
     * its predecessor's.
     */
    @Test
    void replayWithRestartsAndAClockGoingBackDecidesExactlyAsOneRun() throws Exception {
        List<MetaResult> straight;
        String straightDump;
        long straightTable;
        try (TestNamespace a = TestNamespace.formatted(dir.resolve("a"))) {
            straight = retryScript(a, null);
            straightDump = a.dump();
            straightTable = a.store.appliedRequests();
        }
        TestNamespace[] holder = {TestNamespace.formatted(dir.resolve("b"))};
        List<MetaResult> restarted;
        try {
            restarted = retryScript(holder[0], () -> {
                Path path = dir.resolve("b");
                holder[0].close();
                holder[0] = TestNamespace.open(path);
                return holder[0];
            });
            assertThat(restarted).isEqualTo(straight);
            assertThat(holder[0].dump()).isEqualTo(straightDump);
            assertThat(holder[0].store.appliedRequests()).isEqualTo(straightTable);
        } finally {
            holder[0].close();
        }
        assertThat(straight.stream().filter(r -> r.getStatus() == 0).count()).isGreaterThan(100);
        assertThat(straightTable).isPositive();
    }

    @FunctionalInterface
    private interface Reopen {
        TestNamespace reopen() throws Exception;
    }

    /** Ops with fresh and repeated ids, time moving by minutes (sometimes back); reopens every 150 ops if asked. */
    private static List<MetaResult> retryScript(TestNamespace start, Reopen reopen) throws Exception {
        Random random = new Random(17);
        List<ByteString> used = new ArrayList<>();
        List<MetaResult> results = new ArrayList<>();
        TestNamespace ns = start;
        for (int i = 0; i < 900; i++) {
            if (reopen != null && i % 150 == 149) {
                long clockSeconds = ns.now.getSeconds();
                long index = ns.index();
                ns = reopen.reopen();
                ns.now = TestNamespace.time(clockSeconds, 0);
                assertThat(ns.index()).isEqualTo(index);
            }
            // Forward a minute on average, sometimes back by more than the retention: new entries
            // then sort before ones the sweep already passed.
            long seconds = ns.now.getSeconds() + (random.nextInt(20) == 0 ? -RETENTION - 100 : random.nextInt(120));
            ns.now = TestNamespace.time(seconds, random.nextInt(1_000_000_000));
            ByteString id;
            if (!used.isEmpty() && random.nextInt(3) == 0) {
                id = used.get(random.nextInt(used.size()));
            } else {
                id = ByteString.copyFrom(new byte[] {(byte) (i >> 8), (byte) i, 7});
                used.add(id);
            }
            String name = "n" + random.nextInt(6);
            // One op kind per id, so a repeated id is a retry and never EINVAL.
            MetaOp.Builder op = (id.byteAt(1) & 1) == 0
                    ? create(ROOT, name, FileType.REGULAR, true)
                    : unlink(ROOT, name);
            results.add(ns.apply(ALICE, op.setRequestId(id)));
        }
        return results;
    }
}
