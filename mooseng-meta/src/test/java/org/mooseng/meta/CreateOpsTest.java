package org.mooseng.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mooseng.meta.TestNamespace.ALICE;
import static org.mooseng.meta.TestNamespace.BOB;
import static org.mooseng.meta.TestNamespace.EACCES;
import static org.mooseng.meta.TestNamespace.EEXIST;
import static org.mooseng.meta.TestNamespace.EINVAL;
import static org.mooseng.meta.TestNamespace.EISDIR;
import static org.mooseng.meta.TestNamespace.ENAMETOOLONG;
import static org.mooseng.meta.TestNamespace.ENOENT;
import static org.mooseng.meta.TestNamespace.ENOTDIR;
import static org.mooseng.meta.TestNamespace.EPERM;
import static org.mooseng.meta.TestNamespace.ROOT;
import static org.mooseng.meta.TestNamespace.ROOT_CRED;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mooseng.proto.Attr;
import org.mooseng.proto.Credentials;
import org.mooseng.proto.FileType;
import org.mooseng.proto.MetaResult;

class CreateOpsTest {
    @TempDir
    Path dir;
    TestNamespace ns;

    @BeforeEach
    void open() throws Exception {
        ns = TestNamespace.formatted(dir);
    }

    @AfterEach
    void close() {
        ns.close();
    }

    @Test
    void formatCreatesRootDirectoryAndFixesClusterId() throws Exception {
        try (TestNamespace fresh = TestNamespace.open(dir.resolve("fresh"))) {
            assertThat(fresh.store.clusterId()).isEmpty();
            fresh.now = TestNamespace.time(42, 7);
            fresh.expectOk(fresh.format("cluster-x"));
            Attr root = fresh.attr(ROOT);
            assertThat(root.getType()).isEqualTo(FileType.DIRECTORY);
            assertThat(root.getMode()).isEqualTo(0755);
            assertThat(root.getUid()).isZero();
            assertThat(root.getGid()).isZero();
            assertThat(root.getNlink()).isEqualTo(2);
            assertThat(root.getGoal()).isEqualTo(2);
            assertThat(root.getCtime()).isEqualTo(TestNamespace.time(42, 7));
            assertThat(fresh.store.clusterId()).contains("cluster-x");
            assertThat(fresh.store.stats().directories()).isEqualTo(1);
        }
    }

    @Test
    void secondFormatIsEexistAndKeepsClusterId() {
        assertThat(ns.format("other").getStatus()).isEqualTo(EEXIST);
        assertThat(ns.store.clusterId()).contains("c1");
    }

    @Test
    void opsBeforeFormatFailWithEnoent() throws Exception {
        try (TestNamespace fresh = TestNamespace.open(dir.resolve("fresh"))) {
            assertThat(fresh.file(ROOT_CRED, ROOT, "a").getStatus()).isEqualTo(ENOENT);
            assertThat(fresh.store.lastAppliedIndex()).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"REGULAR", "DIRECTORY", "FIFO", "SOCKET", "BLOCK_DEVICE", "CHAR_DEVICE"})
    void createMakesEachTypeWithOwnerModeAndNow(String typeName) {
        FileType type = FileType.valueOf(typeName);
        ns.tick();
        MetaResult r = ns.expectOk(ns.apply(ALICE, org.mooseng.proto.MetaOp.newBuilder().setCreate(
                org.mooseng.proto.CreateOp.newBuilder().setParent(ROOT).setName("n").setType(type).setMode(0640)
                        .setRdev(0x0801))));
        Attr a = r.getAttr();
        assertThat(a.getType()).isEqualTo(type);
        assertThat(a.getMode()).isEqualTo(0640);
        assertThat(a.getUid()).isEqualTo(1000);
        assertThat(a.getGid()).isEqualTo(1000);
        assertThat(a.getNlink()).isEqualTo(type == FileType.DIRECTORY ? 2 : 1);
        assertThat(a.getAtime()).isEqualTo(ns.now);
        assertThat(a.getMtime()).isEqualTo(ns.now);
        assertThat(a.getCtime()).isEqualTo(ns.now);
        boolean device = type == FileType.BLOCK_DEVICE || type == FileType.CHAR_DEVICE;
        assertThat(a.getRdev()).isEqualTo(device ? 0x0801 : 0);
        assertThat(ns.attr(a.getInode())).isEqualTo(a);
        assertThat(ns.lookupId(ROOT, "n")).isEqualTo(a.getInode());
    }

    @Test
    void createUpdatesParentTimesAndMkdirRaisesParentNlink() {
        long parent = ns.dirId(ALICE, ROOT, "p");
        ns.tick();
        ns.fileId(ALICE, parent, "f");
        Attr afterFile = ns.attr(parent);
        assertThat(afterFile.getMtime()).isEqualTo(ns.now);
        assertThat(afterFile.getCtime()).isEqualTo(ns.now);
        assertThat(afterFile.getNlink()).isEqualTo(2);
        ns.dirId(ALICE, parent, "d");
        assertThat(ns.attr(parent).getNlink()).isEqualTo(3);
    }

    @Test
    void inodeIdsComeFromTheCounterInOrder() {
        long a = ns.fileId(ALICE, ROOT, "a");
        long b = ns.fileId(ALICE, ROOT, "b");
        assertThat(a).isEqualTo(2);
        assertThat(b).isEqualTo(3);
    }

    @Test
    void exclusiveCreateOfExistingNameIsEexist() {
        ns.fileId(ALICE, ROOT, "f");
        assertThat(ns.createExclusive(ALICE, ROOT, "f", true).getStatus()).isEqualTo(EEXIST);
    }

    @Test
    void nonExclusiveCreateReturnsExistingRegularFileUnchanged() {
        long f = ns.fileId(ALICE, ROOT, "f");
        Attr before = ns.attr(f);
        long inodesBefore = ns.store.stats().inodes();
        ns.tick();
        MetaResult r = ns.expectOk(ns.createExclusive(BOB, ROOT, "f", false));
        assertThat(r.getAttr()).isEqualTo(before);
        assertThat(ns.attr(f)).isEqualTo(before);
        assertThat(ns.store.stats().inodes()).isEqualTo(inodesBefore);
    }

    @Test
    void nonExclusiveCreateOverDirectoryIsEisdirAndMkdirOverFileIsEexist() {
        ns.dirId(ALICE, ROOT, "d");
        ns.fileId(ALICE, ROOT, "f");
        assertThat(ns.createExclusive(ALICE, ROOT, "d", false).getStatus()).isEqualTo(EISDIR);
        assertThat(ns.mkdir(ALICE, ROOT, "f").getStatus()).isEqualTo(EEXIST);
    }

    @Test
    void nameOf256BytesIsEnametoolongAnd255Works() {
        assertThat(ns.file(ALICE, ROOT, "x".repeat(256)).getStatus()).isEqualTo(ENAMETOOLONG);
        // 'é' is two UTF-8 bytes: 128 of them are 256 bytes although only 128 chars.
        assertThat(ns.file(ALICE, ROOT, "é".repeat(128)).getStatus()).isEqualTo(ENAMETOOLONG);
        ns.expectOk(ns.file(ALICE, ROOT, "x".repeat(255)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "a/b", "a\0b"})
    void invalidNamesAreEinval(String name) {
        assertThat(ns.file(ALICE, ROOT, name).getStatus()).isEqualTo(EINVAL);
        assertThat(ns.mkdir(ALICE, ROOT, name).getStatus()).isEqualTo(EINVAL);
    }

    @Test
    void createInMissingParentIsEnoent() {
        assertThat(ns.file(ALICE, 999, "f").getStatus()).isEqualTo(ENOENT);
    }

    @Test
    void createUnderAFileIsEnotdir() {
        long f = ns.fileId(ALICE, ROOT, "f");
        assertThat(ns.file(ALICE, f, "g").getStatus()).isEqualTo(ENOTDIR);
    }

    @Test
    void createWithoutWriteOrSearchPermissionOnParentIsEacces() {
        long d = ns.dirId(ALICE, ROOT, "d");
        ns.expectOk(ns.chmod(ALICE, d, 0555));
        assertThat(ns.file(BOB, d, "f").getStatus()).isEqualTo(EACCES);
        assertThat(ns.file(ALICE, d, "f").getStatus()).isEqualTo(EACCES);
        ns.expectOk(ns.chmod(ALICE, d, 0766));
        assertThat(ns.file(BOB, d, "f").getStatus()).isEqualTo(EACCES);
        ns.expectOk(ns.file(ROOT_CRED, d, "f"));
    }

    @Test
    void groupBitsApplyToSupplementaryGroups() {
        long d = ns.dirId(ALICE, ROOT, "d");
        ns.expectOk(ns.chmod(ALICE, d, 0770));
        Credentials bobInAlicesGroup = BOB.toBuilder().addGroups(1000).build();
        assertThat(ns.file(BOB, d, "f").getStatus()).isEqualTo(EACCES);
        ns.expectOk(ns.file(bobInAlicesGroup, d, "f"));
    }

    @Test
    void setgidDirectoryGivesItsGroupAndNewDirectoriesInheritSetgid() {
        long d = ns.dirId(ALICE, ROOT, "d");
        ns.expectOk(ns.chmod(ALICE, d, 02777));
        Attr file = ns.expectOk(ns.file(BOB, d, "f")).getAttr();
        Attr sub = ns.expectOk(ns.mkdir(BOB, d, "s")).getAttr();
        assertThat(file.getGid()).isEqualTo(1000);
        assertThat(file.getUid()).isEqualTo(2000);
        assertThat(sub.getGid()).isEqualTo(1000);
        assertThat(sub.getMode() & 02000).isEqualTo(02000);
        assertThat(file.getMode() & 02000).isZero();
    }

    @Test
    void newInodesInheritTheParentsGoal() {
        long d = ns.dirId(ALICE, ROOT, "d");
        ns.expectOk(ns.setGoal(ALICE, d, 5, false));
        assertThat(ns.expectOk(ns.file(ALICE, d, "f")).getAttr().getGoal()).isEqualTo(5);
        assertThat(ns.expectOk(ns.mkdir(ALICE, d, "s")).getAttr().getGoal()).isEqualTo(5);
    }

    @Test
    void symlinkStoresTargetAndSizeInBytes() {
        MetaResult r = ns.expectOk(ns.symlink(ALICE, ROOT, "l", "dir/é"));
        assertThat(r.getAttr().getType()).isEqualTo(FileType.SYMLINK);
        assertThat(r.getAttr().getSize()).isEqualTo(6);
        assertThat(r.getAttr().getMode()).isEqualTo(0777);
        assertThat(ns.store.readLink(r.getAttr().getInode()).getTarget()).isEqualTo("dir/é");
        assertThat(ns.symlink(ALICE, ROOT, "l", "x").getStatus()).isEqualTo(EEXIST);
        assertThat(ns.symlink(ALICE, ROOT, "m", "").getStatus()).isEqualTo(ENOENT);
    }

    @Test
    void readLinkOfNonSymlinkIsEinval() {
        long f = ns.fileId(ALICE, ROOT, "f");
        assertThat(ns.store.readLink(f).getStatus()).isEqualTo(EINVAL);
    }

    @Test
    void linkAddsNameRaisesNlinkAndTouchesCtime() {
        long f = ns.fileId(ALICE, ROOT, "f");
        long d = ns.dirId(ALICE, ROOT, "d");
        ns.tick();
        MetaResult r = ns.expectOk(ns.link(ALICE, f, d, "g"));
        assertThat(r.getAttr().getNlink()).isEqualTo(2);
        assertThat(ns.attr(f).getCtime()).isEqualTo(ns.now);
        assertThat(ns.attr(d).getMtime()).isEqualTo(ns.now);
        assertThat(ns.lookupId(d, "g")).isEqualTo(f);
    }

    @Test
    void hardLinkToDirectoryIsEperm() {
        long d = ns.dirId(ALICE, ROOT, "d");
        assertThat(ns.link(ALICE, d, ROOT, "d2").getStatus()).isEqualTo(EPERM);
    }

    @Test
    void linkOntoExistingNameIsEexistAndOfMissingInodeIsEnoent() {
        long f = ns.fileId(ALICE, ROOT, "f");
        assertThat(ns.link(ALICE, f, ROOT, "f").getStatus()).isEqualTo(EEXIST);
        assertThat(ns.link(ALICE, 777, ROOT, "x").getStatus()).isEqualTo(ENOENT);
    }

    @Test
    void linkBeyondTheLinkLimitIsEmlink() {
        long f = ns.fileId(ALICE, ROOT, "f");
        long d = ns.dirId(ALICE, ROOT, "links");
        for (int i = 1; i < CreateOps.MAX_LINKS; i++) {
            ns.expectOk(ns.link(ALICE, f, d, Integer.toString(i)));
        }
        assertThat(ns.attr(f).getNlink()).isEqualTo(CreateOps.MAX_LINKS);
        assertThat(ns.link(ALICE, f, d, "one-too-many").getStatus()).isEqualTo(31);
    }

    @Test
    void rejectedOpChangesNothingButAdvancesAppliedIndex() {
        ns.fileId(ALICE, ROOT, "f");
        String before = ns.dump();
        MetaResult r = ns.file(ALICE, ROOT, "f".repeat(300));
        assertThat(r.getStatus()).isEqualTo(ENAMETOOLONG);
        assertThat(r.getMessage()).isNotEmpty();
        assertThat(ns.dump()).isEqualTo(before);
        assertThat(ns.store.lastAppliedIndex()).isEqualTo(ns.index());
    }

    @Test
    void eachChangeOfANameReportsItsDirectoryAsItLeftIt() {
        long d = ns.dirId(ALICE, ROOT, "d");
        ns.tick();
        MetaResult mkdir = ns.expectOk(ns.mkdir(ALICE, d, "sub"));
        assertThat(mkdir.getParentAttr()).isEqualTo(ns.attr(d));
        assertThat(mkdir.getParentAttr().getNlink()).isEqualTo(3);
        assertThat(mkdir.getParentAttr().getMtime()).isEqualTo(ns.now);
        ns.tick();
        MetaResult file = ns.expectOk(ns.file(ALICE, d, "f"));
        assertThat(file.getParentAttr()).isEqualTo(ns.attr(d));
        assertThat(file.getParentAttr().getMtime()).isEqualTo(ns.now);
        ns.tick();
        MetaResult existing = ns.expectOk(ns.createExclusive(ALICE, d, "f", false));
        assertThat(existing.getParentAttr()).isEqualTo(ns.attr(d)); // unchanged, still current
        ns.tick();
        MetaResult symlink = ns.expectOk(ns.symlink(ALICE, d, "s", "f"));
        assertThat(symlink.getParentAttr()).isEqualTo(ns.attr(d));
        ns.tick();
        MetaResult link = ns.expectOk(ns.link(ALICE, file.getAttr().getInode(), d, "g"));
        assertThat(link.getParentAttr()).isEqualTo(ns.attr(d));
        assertThat(link.getParentAttr().getCtime()).isEqualTo(ns.now);
        ns.tick();
        MetaResult unlink = ns.expectOk(ns.unlink(ALICE, d, "g"));
        assertThat(unlink.getParentAttr()).isEqualTo(ns.attr(d));
        ns.tick();
        MetaResult rmdir = ns.expectOk(ns.rmdir(ALICE, d, "sub"));
        assertThat(rmdir.getParentAttr()).isEqualTo(ns.attr(d));
        assertThat(rmdir.getParentAttr().getNlink()).isEqualTo(2);
        assertThat(rmdir.getParentAttr().getMtime()).isEqualTo(ns.now);
    }

    @Test
    void aRefusedChangeReportsNoDirectory() {
        long d = ns.dirId(ALICE, ROOT, "d");
        ns.fileId(ALICE, d, "f");
        assertThat(ns.mkdir(ALICE, d, "f").hasParentAttr()).isFalse();
        assertThat(ns.unlink(ALICE, d, "missing").hasParentAttr()).isFalse();
    }
}
