package org.mooseng.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mooseng.meta.TestNamespace.ALICE;
import static org.mooseng.meta.TestNamespace.BOB;
import static org.mooseng.meta.TestNamespace.EACCES;
import static org.mooseng.meta.TestNamespace.ENOENT;
import static org.mooseng.meta.TestNamespace.ROOT;
import static org.mooseng.meta.TestNamespace.ROOT_CRED;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.proto.CreateOp;
import org.mooseng.proto.FileOpenOp;
import org.mooseng.proto.FileReleaseOp;
import org.mooseng.proto.FileType;
import org.mooseng.proto.MetaOp;
import org.mooseng.proto.MetaResult;
import org.mooseng.proto.PurgeRetainedOp;
import org.mooseng.proto.ReleasedOpen;
import org.mooseng.proto.RenameOp;
import org.mooseng.proto.SessionExpireOp;
import org.mooseng.proto.SessionInfo;
import org.mooseng.proto.SessionOpenOp;
import org.mooseng.proto.SetAttrOp;
import org.mooseng.proto.UnlinkOp;

class SessionOpsTest {
    static final int ESTALE = 116;
    static final int READ = FileOpenOp.Flag.OPEN_READ_VALUE;
    static final int WRITE = FileOpenOp.Flag.OPEN_WRITE_VALUE;

    @TempDir
    Path dir;
    TestNamespace ns;

    @BeforeEach
    void open() throws Exception {
        ns = TestNamespace.formatted(dir.resolve("a"));
    }

    @AfterEach
    void close() {
        ns.close();
    }

    @Test
    void sessionOpenAssignsFreshIdsKeepsChosenOnesAndReopenKeepsOpenedTime() {
        long first = openSession(ns, 0);
        long second = openSession(ns, 0);
        assertThat(second).isGreaterThan(first);
        assertThat(openSession(ns, 777)).isEqualTo(777);
        var opened = ns.store.session(777).orElseThrow().getOpened();
        ns.tick();
        assertThat(openSession(ns, 777)).isEqualTo(777);
        assertThat(ns.store.session(777).orElseThrow().getOpened()).isEqualTo(opened);
        assertThat(ns.store.sessions()).extracting(SessionInfo::getSessionId).containsExactly(first, second, 777L);
        assertThat(ns.store.session(777).orElseThrow().getHost()).isEqualTo("host-777");
    }

    @Test
    void unlinkedFileOpenInTwoSessionsStaysWithChunksUntilTheLastRelease() {
        long s1 = openSession(ns, 0);
        long s2 = openSession(ns, 0);
        long f = ns.fileId(ALICE, ROOT, "f");
        long chunk = ns.expectOk(ns.writeBegin(f, 0)).getChunk().getChunkId();
        ns.expectOk(ns.writeEnd(f, 10));
        ns.expectOk(fileOpen(ns, ALICE, s1, f, READ));
        ns.expectOk(fileOpen(ns, ALICE, s2, f, READ | WRITE));

        MetaResult unlinked = ns.expectOk(ns.unlink(ALICE, ROOT, "f"));

        assertThat(unlinked.getReleasedChunksList()).isEmpty();
        assertThat(ns.store.lookup(ROOT_CRED, ROOT, "f").getStatus()).isEqualTo(ENOENT);
        assertThat(ns.attr(f).getNlink()).isZero();
        assertThat(ns.attr(f).getSize()).isEqualTo(10);
        assertThat(ns.store.chunkExists(chunk)).isTrue();
        assertThat(ns.store.retainedInodes()).containsExactly(f);
        // Still writable through the open handle: a new write session on the nameless inode.
        ns.expectOk(ns.writeBegin(f, 0));

        assertThat(ns.expectOk(fileRelease(ns, s1, f, READ)).getReleasedChunksList()).isEmpty();
        assertThat(ns.attr(f).getNlink()).isZero();

        MetaResult last = ns.expectOk(fileRelease(ns, s2, f, READ | WRITE));
        assertThat(last.getReleasedChunksList()).containsExactly(chunk);
        assertThat(ns.attrStatus(f)).isEqualTo(ENOENT);
        assertThat(ns.store.chunkExists(chunk)).isFalse();
        assertThat(ns.store.retainedInodes()).isEmpty();
        assertThat(ns.store.stats().files()).isZero();
    }

    @Test
    void opensAreCountedSoOneReleaseOfTwoOpensKeepsTheFile() {
        long s = openSession(ns, 0);
        long f = ns.fileId(ALICE, ROOT, "f");
        ns.expectOk(fileOpen(ns, ALICE, s, f, READ));
        ns.expectOk(fileOpen(ns, ALICE, s, f, READ));
        ns.expectOk(ns.unlink(ALICE, ROOT, "f"));
        ns.expectOk(fileRelease(ns, s, f, READ));
        assertThat(ns.attr(f).getNlink()).isZero();
        assertThat(ns.store.openFlags(s, f)).isEqualTo(READ);
        ns.expectOk(fileRelease(ns, s, f, READ));
        assertThat(ns.attrStatus(f)).isEqualTo(ENOENT);
        assertThat(ns.store.isOpen(f)).isFalse();
    }

    @Test
    void oneBatchedReleaseCountsEveryOpenAndDeletesAnUnlinkedInodeOnce() {
        long s = openSession(ns, 0);
        long twice = ns.fileId(ALICE, ROOT, "twice");
        long kept = ns.fileId(ALICE, ROOT, "kept");
        long chunk = ns.expectOk(ns.writeBegin(twice, 0)).getChunk().getChunkId();
        ns.expectOk(ns.writeEnd(twice, 10));
        ns.expectOk(fileOpen(ns, ALICE, s, twice, READ));
        ns.expectOk(fileOpen(ns, ALICE, s, twice, READ | WRITE));
        ns.expectOk(fileOpen(ns, ALICE, s, kept, READ));
        ns.expectOk(fileOpen(ns, ALICE, s, kept, READ));
        ns.expectOk(ns.unlink(ALICE, ROOT, "twice"));
        ns.expectOk(ns.unlink(ALICE, ROOT, "kept"));

        MetaResult released = ns.expectOk(ns.apply(ROOT_CRED, MetaOp.newBuilder().setFileRelease(
                FileReleaseOp.newBuilder().setSessionId(s).setInode(twice).setFlags(READ)
                        .addMore(ReleasedOpen.newBuilder().setInode(kept).setFlags(READ))
                        .addMore(ReleasedOpen.newBuilder().setInode(twice).setFlags(READ | WRITE)))));

        assertThat(released.getReleasedChunksList()).containsExactly(chunk);
        assertThat(ns.attrStatus(twice)).isEqualTo(ENOENT);
        assertThat(ns.store.chunkExists(chunk)).isFalse();
        assertThat(ns.store.openFlags(s, kept)).isEqualTo(READ);
        assertThat(ns.store.retainedInodes()).containsExactly(kept);
        ns.expectOk(fileRelease(ns, s, kept, READ));
        assertThat(ns.attrStatus(kept)).isEqualTo(ENOENT);
        assertThat(ns.store.retainedInodes()).isEmpty();
    }

    @Test
    void sessionExpiryReleasesItsOpensAndDeletesUnlinkedFilesOnlyItHeld() {
        long s1 = openSession(ns, 0);
        long s2 = openSession(ns, 0);
        long mine = ns.fileId(ALICE, ROOT, "mine");
        long shared = ns.fileId(ALICE, ROOT, "shared");
        long chunk = ns.expectOk(ns.writeBegin(mine, 0)).getChunk().getChunkId();
        ns.expectOk(fileOpen(ns, ALICE, s1, mine, WRITE));
        ns.expectOk(fileOpen(ns, ALICE, s1, shared, READ));
        ns.expectOk(fileOpen(ns, ALICE, s2, shared, READ));
        ns.expectOk(ns.unlink(ALICE, ROOT, "mine"));
        ns.expectOk(ns.unlink(ALICE, ROOT, "shared"));

        MetaResult expired = ns.expectOk(expire(ns, s1));

        assertThat(expired.getReleasedChunksList()).containsExactly(chunk);
        assertThat(ns.attrStatus(mine)).isEqualTo(ENOENT);
        assertThat(ns.attr(shared).getNlink()).isZero();
        assertThat(ns.store.session(s1)).isEmpty();
        assertThat(ns.store.openFlags(s1, shared)).isZero();
        assertThat(ns.store.retainedInodes()).containsExactly(shared);
        assertThat(fileOpen(ns, ALICE, s1, shared, READ).getStatus()).isEqualTo(ESTALE);
        assertThat(expire(ns, s1).getStatus()).isEqualTo(ESTALE);

        ns.expectOk(expire(ns, s2));
        assertThat(ns.attrStatus(shared)).isEqualTo(ENOENT);
        assertThat(ns.store.sessions()).isEmpty();
    }

    @Test
    void renameOverAnOpenFileKeepsTheReplacedInode() {
        long s = openSession(ns, 0);
        long victim = ns.fileId(ALICE, ROOT, "target");
        ns.fileId(ALICE, ROOT, "new");
        ns.expectOk(fileOpen(ns, ALICE, s, victim, READ));
        ns.expectOk(ns.rename(ALICE, ROOT, "new", ROOT, "target"));
        assertThat(ns.attr(victim).getNlink()).isZero();
        assertThat(ns.lookupId(ROOT, "target")).isNotEqualTo(victim);
        ns.expectOk(fileRelease(ns, s, victim, READ));
        assertThat(ns.attrStatus(victim)).isEqualTo(ENOENT);
    }

    @Test
    void opsThatKeepUnnamedFilesLeaveEveryUnnamedRegularFileToThePurge() {
        long s = openSession(ns, 0);
        long closed = ns.fileId(ALICE, ROOT, "closed");
        long open = ns.fileId(ALICE, ROOT, "open");
        long replaced = ns.fileId(ALICE, ROOT, "target");
        ns.fileId(ALICE, ROOT, "new");
        long dir = ns.expectOk(ns.create(ALICE, ROOT, "dir", FileType.DIRECTORY, 0755)).getAttr().getInode();
        long chunk = ns.expectOk(ns.writeBegin(closed, 0)).getChunk().getChunkId();
        ns.expectOk(ns.writeEnd(closed, 10));
        ns.expectOk(fileOpen(ns, ALICE, s, open, READ));

        MetaResult unlinked = ns.expectOk(keeping(ns, MetaOp.newBuilder().setUnlink(
                UnlinkOp.newBuilder().setParent(ROOT).setName("closed"))));
        ns.expectOk(keeping(ns, MetaOp.newBuilder().setUnlink(UnlinkOp.newBuilder().setParent(ROOT).setName("open"))));
        ns.expectOk(keeping(ns, MetaOp.newBuilder().setRename(RenameOp.newBuilder().setParent(ROOT).setName("new")
                .setNewParent(ROOT).setNewName("target"))));
        ns.expectOk(keeping(ns, MetaOp.newBuilder().setUnlink(UnlinkOp.newBuilder().setParent(ROOT).setName("dir")
                .setIsDir(true))));

        assertThat(unlinked.getReleasedChunksList()).isEmpty();
        assertThat(ns.store.chunkExists(chunk)).isTrue();
        assertThat(ns.attr(closed).getNlink()).isZero();
        assertThat(ns.attrStatus(dir)).isEqualTo(ENOENT); // directories are never opened: gone at once
        assertThat(ns.store.retainedInodes()).containsExactlyInAnyOrder(closed, open, replaced);
        // The last logged release of a kept file does not delete it either.
        ns.expectOk(ns.apply(ROOT_CRED, MetaOp.newBuilder().setKeepUnnamedFiles(true).setFileRelease(
                FileReleaseOp.newBuilder().setSessionId(s).setInode(open).setFlags(READ))));
        assertThat(ns.store.retainedInodes()).containsExactlyInAnyOrder(closed, open, replaced);

        long named = ns.fileId(ALICE, ROOT, "named");
        ns.expectOk(fileOpen(ns, ALICE, s, replaced, READ));
        MetaResult purged = ns.expectOk(purge(ns, closed, open, replaced, named, closed, 999_999L));

        assertThat(purged.getReleasedChunksList()).containsExactly(chunk);
        assertThat(ns.store.chunkExists(chunk)).isFalse();
        assertThat(ns.attrStatus(closed)).isEqualTo(ENOENT);
        assertThat(ns.attrStatus(open)).isEqualTo(ENOENT);
        assertThat(ns.attr(replaced).getNlink()).isZero(); // open in the log: skipped
        assertThat(ns.attr(named).getNlink()).isEqualTo(1); // not retained: skipped
        assertThat(ns.store.retainedInodes()).containsExactly(replaced);
        assertThat(ns.store.stats().files()).isEqualTo(3); // new (now "target"), named, replaced

        // Released by an op of an older record (no keep_unnamed_files): deleted at once, as then.
        ns.expectOk(fileRelease(ns, s, replaced, READ));
        assertThat(ns.store.retainedInodes()).isEmpty();
        assertThat(ns.attrStatus(replaced)).isEqualTo(ENOENT);
    }

    @Test
    void thePurgeGenerationMovesOnlyWhenAFileMayHaveBecomePurgeable() {
        long s = openSession(ns, 0);
        long f = ns.fileId(ALICE, ROOT, "f");
        ns.fileId(ALICE, ROOT, "g");
        ns.expectOk(fileOpen(ns, ALICE, s, f, READ));
        long before = ns.store.purgeGeneration();
        ns.expectOk(ns.chmod(ALICE, f, 0600));
        ns.expectOk(fileOpen(ns, ALICE, s, f, READ));
        assertThat(ns.store.purgeGeneration()).isEqualTo(before);

        ns.expectOk(keeping(ns, MetaOp.newBuilder().setUnlink(UnlinkOp.newBuilder().setParent(ROOT).setName("g"))));
        long retained = ns.store.purgeGeneration();
        assertThat(retained).isGreaterThan(before);
        ns.expectOk(fileRelease(ns, s, f, READ)); // one of two opens: still open
        assertThat(ns.store.purgeGeneration()).isEqualTo(retained);
        ns.expectOk(fileRelease(ns, s, f, READ));
        assertThat(ns.store.purgeGeneration()).isGreaterThan(retained);
    }

    @Test
    void withoutKeepUnnamedFilesAnUnopenedFileIsDeletedAtOnceAsInOlderRecords() {
        long f = ns.fileId(ALICE, ROOT, "f");
        long chunk = ns.expectOk(ns.writeBegin(f, 0)).getChunk().getChunkId();
        ns.expectOk(ns.writeEnd(f, 10));
        assertThat(ns.expectOk(ns.unlink(ALICE, ROOT, "f")).getReleasedChunksList()).containsExactly(chunk);
        assertThat(ns.store.retainedInodes()).isEmpty();
    }

    @Test
    void fileOpenChecksTheModeWithTheCallersCredentials() {
        long s = openSession(ns, 0);
        long f = ns.fileId(ALICE, ROOT, "f");
        assertThat(fileOpen(ns, BOB, s, f, WRITE).getStatus()).isEqualTo(EACCES);
        assertThat(ns.store.openFlags(s, f)).isZero();
        ns.expectOk(fileOpen(ns, BOB, s, f, READ));
        ns.expectOk(fileOpen(ns, ALICE, s, f, WRITE));
        assertThat(ns.store.openFlags(s, f)).isEqualTo(READ | WRITE);
        assertThat(fileOpen(ns, ALICE, 999, f, READ).getStatus()).isEqualTo(ESTALE);
    }

    @Test
    void fileCreatedReadOnlyAndOpenedByItsCreatorStaysTruncatableThroughTheSession() {
        long s = openSession(ns, 0);
        MetaResult created = ns.expectOk(ns.apply(ALICE, MetaOp.newBuilder().setCreate(CreateOp.newBuilder()
                .setParent(ROOT).setName("ro").setType(FileType.REGULAR).setMode(0444).setExclusive(true)
                .setOpenSession(s).setOpenFlags(WRITE))));
        long f = created.getAttr().getInode();
        assertThat(ns.store.openFlags(s, f)).isEqualTo(WRITE);
        // A second open for writing is checked against 0444 and refused, as open(2) would.
        assertThat(fileOpen(ns, ALICE, s, f, WRITE).getStatus()).isEqualTo(EACCES);
        assertThat(ns.truncate(ALICE, f, 5).getStatus()).isEqualTo(EACCES);
        ns.expectOk(ns.setAttr(ALICE, SetAttrOp.newBuilder().setInode(f).setSize(5).setSessionId(s)
                .setValid(SetAttrOp.Field.SET_SIZE_VALUE)));
        assertThat(ns.attr(f).getSize()).isEqualTo(5);
    }

    @Test
    void createWithAnUnknownSessionCreatesNothing() {
        MetaResult r = ns.apply(ALICE, MetaOp.newBuilder().setCreate(CreateOp.newBuilder().setParent(ROOT)
                .setName("x").setType(FileType.REGULAR).setMode(0644).setOpenSession(42).setOpenFlags(WRITE)));
        assertThat(r.getStatus()).isEqualTo(ESTALE);
        assertThat(ns.store.lookup(ROOT_CRED, ROOT, "x").getStatus()).isEqualTo(ENOENT);
    }

    @Test
    void linkingAnUnlinkedOpenInodeIsRefused() {
        long s = openSession(ns, 0);
        long f = ns.fileId(ALICE, ROOT, "f");
        ns.expectOk(fileOpen(ns, ALICE, s, f, READ));
        ns.expectOk(ns.unlink(ALICE, ROOT, "f"));
        assertThat(ns.link(ALICE, f, ROOT, "back").getStatus()).isEqualTo(ENOENT);
        assertThat(ns.attr(f).getNlink()).isZero();
    }

    @Test
    void sessionsOpensAndRetainedInodesSurviveReopenAndReplayToTheSameState() throws Exception {
        List<MetaOp> log = new ArrayList<>();
        Recording rec = new Recording(ns, log);
        long s = rec.sessionOpen(0);
        long f = rec.file("f");
        rec.op(MetaOp.newBuilder().setFileOpen(FileOpenOp.newBuilder().setSessionId(s).setInode(f).setFlags(WRITE)));
        rec.op(MetaOp.newBuilder().setUnlink(org.mooseng.proto.UnlinkOp.newBuilder().setParent(ROOT).setName("f")));
        ns.close();

        ns = TestNamespace.open(dir.resolve("a"));
        assertThat(ns.store.retainedInodes()).containsExactly(f);
        assertThat(ns.store.openFlags(s, f)).isEqualTo(WRITE);
        assertThat(ns.store.sessions()).singleElement().satisfies(i -> assertThat(i.getOpenFiles()).isEqualTo(1));
        // Applying an index already applied changes nothing.
        assertThat(ns.store.apply(ns.store.lastAppliedIndex(), log.get(log.size() - 1)).getStatus()).isZero();
        assertThat(ns.attr(f).getNlink()).isZero();

        try (TestNamespace replay = TestNamespace.formatted(dir.resolve("b"))) {
            for (MetaOp op : log) {
                assertThat(replay.now).isEqualTo(op.getNow());
                replay.expectOk(replay.apply(op.getCred(), op.toBuilder()));
            }
            assertThat(replay.store.retainedInodes()).isEqualTo(ns.store.retainedInodes());
            assertThat(replay.store.sessions()).isEqualTo(ns.store.sessions());
            assertThat(replay.store.openFlags(s, f)).isEqualTo(WRITE);
            assertThat(replay.attr(f)).isEqualTo(ns.attr(f));
        }
    }

    /** Applies ops as ALICE and records them as committed, for replay. */
    private record Recording(TestNamespace ns, List<MetaOp> log) {
        MetaResult op(MetaOp.Builder op) {
            MetaOp full = op.setCred(ALICE).setNow(ns.now).build();
            log.add(full);
            return ns.expectOk(ns.apply(ALICE, full.toBuilder()));
        }

        long sessionOpen(long id) {
            return op(MetaOp.newBuilder().setSessionOpen(SessionOpenOp.newBuilder().setSessionId(id)
                    .setHost("h").setLeaseMs(30_000))).getSession().getSessionId();
        }

        long file(String name) {
            return op(MetaOp.newBuilder().setCreate(CreateOp.newBuilder().setParent(ROOT).setName(name)
                    .setType(FileType.REGULAR).setMode(0644))).getAttr().getInode();
        }
    }

    static long openSession(TestNamespace ns, long id) {
        return ns.expectOk(ns.apply(ROOT_CRED, MetaOp.newBuilder().setSessionOpen(SessionOpenOp.newBuilder()
                .setSessionId(id).setHost("host-" + id).setMountPoint("/mnt").setLeaseMs(30_000))))
                .getSession().getSessionId();
    }

    static MetaResult fileOpen(TestNamespace ns, org.mooseng.proto.Credentials cred, long session, long inode,
            int flags) {
        return ns.apply(cred, MetaOp.newBuilder().setFileOpen(FileOpenOp.newBuilder().setSessionId(session)
                .setInode(inode).setFlags(flags)));
    }

    static MetaResult fileRelease(TestNamespace ns, long session, long inode, int flags) {
        return ns.apply(ROOT_CRED, MetaOp.newBuilder().setFileRelease(FileReleaseOp.newBuilder()
                .setSessionId(session).setInode(inode).setFlags(flags)));
    }

    /** Applies the op as ALICE, as a leader that holds opens outside the log proposes it. */
    static MetaResult keeping(TestNamespace ns, MetaOp.Builder op) {
        return ns.apply(ALICE, op.setKeepUnnamedFiles(true));
    }

    static MetaResult purge(TestNamespace ns, long... inodes) {
        PurgeRetainedOp.Builder op = PurgeRetainedOp.newBuilder();
        for (long inode : inodes) {
            op.addInodes(inode);
        }
        return ns.apply(ROOT_CRED, MetaOp.newBuilder().setKeepUnnamedFiles(true).setPurgeRetained(op));
    }

    static MetaResult expire(TestNamespace ns, long session) {
        return ns.apply(ROOT_CRED, MetaOp.newBuilder().setSessionExpire(SessionExpireOp.newBuilder()
                .setSessionId(session)));
    }
}
