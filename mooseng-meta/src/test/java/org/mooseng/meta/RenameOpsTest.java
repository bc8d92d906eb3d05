package org.mooseng.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mooseng.meta.TestNamespace.ALICE;
import static org.mooseng.meta.TestNamespace.BOB;
import static org.mooseng.meta.TestNamespace.EACCES;
import static org.mooseng.meta.TestNamespace.EEXIST;
import static org.mooseng.meta.TestNamespace.EINVAL;
import static org.mooseng.meta.TestNamespace.EISDIR;
import static org.mooseng.meta.TestNamespace.ENOENT;
import static org.mooseng.meta.TestNamespace.ENOTDIR;
import static org.mooseng.meta.TestNamespace.ENOTEMPTY;
import static org.mooseng.meta.TestNamespace.EPERM;
import static org.mooseng.meta.TestNamespace.ROOT;
import static org.mooseng.meta.TestNamespace.ROOT_CRED;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.proto.DirEntry;
import org.mooseng.proto.MetaResult;

class RenameOpsTest {
    static final int NOREPLACE = 1;
    static final int EXCHANGE = 2;

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
    void renameWithinDirectoryMovesNameAndTouchesTimes() {
        long f = ns.fileId(ALICE, ROOT, "a");
        ns.tick();
        MetaResult r = ns.expectOk(ns.rename(ALICE, ROOT, "a", ROOT, "b"));
        assertThat(r.getAttr().getInode()).isEqualTo(f);
        assertThat(ns.lookupId(ROOT, "b")).isEqualTo(f);
        assertThat(ns.store.lookup(ROOT_CRED, ROOT, "a").getStatus()).isEqualTo(ENOENT);
        assertThat(ns.attr(f).getCtime()).isEqualTo(ns.now);
        assertThat(ns.attr(ROOT).getMtime()).isEqualTo(ns.now);
        assertThat(ns.list(ROOT)).extracting(DirEntry::getName).containsExactly("b");
    }

    @Test
    void renameDirectoryAcrossDirectoriesMovesNlinkAndDotDot() {
        long a = ns.dirId(ALICE, ROOT, "a");
        long b = ns.dirId(ALICE, ROOT, "b");
        long d = ns.dirId(ALICE, a, "d");
        ns.expectOk(ns.rename(ALICE, a, "d", b, "e"));
        assertThat(ns.attr(a).getNlink()).isEqualTo(2);
        assertThat(ns.attr(b).getNlink()).isEqualTo(3);
        assertThat(ns.store.lookup(ROOT_CRED, d, "..").getAttr().getInode()).isEqualTo(b);
        assertThat(ns.list(a)).isEmpty();
    }

    @Test
    void renameReplacesExistingFileAndReleasesItsChunks() {
        long a = ns.fileId(ALICE, ROOT, "a");
        long b = ns.fileId(ALICE, ROOT, "b");
        long chunk = ns.expectOk(ns.writeBegin(b, 0)).getChunk().getChunkId();
        MetaResult r = ns.expectOk(ns.rename(ALICE, ROOT, "a", ROOT, "b"));
        assertThat(r.getReleasedChunksList()).containsExactly(chunk);
        assertThat(ns.lookupId(ROOT, "b")).isEqualTo(a);
        assertThat(ns.attrStatus(b)).isEqualTo(ENOENT);
        assertThat(ns.store.stats().files()).isEqualTo(1);
    }

    @Test
    void renameReplacesEmptyDirectoryAndFixesNlink() {
        long a = ns.dirId(ALICE, ROOT, "a");
        long p = ns.dirId(ALICE, ROOT, "p");
        long b = ns.dirId(ALICE, p, "b");
        ns.expectOk(ns.rename(ALICE, ROOT, "a", p, "b"));
        assertThat(ns.attrStatus(b)).isEqualTo(ENOENT);
        assertThat(ns.lookupId(p, "b")).isEqualTo(a);
        assertThat(ns.attr(p).getNlink()).isEqualTo(3);
        assertThat(ns.attr(ROOT).getNlink()).isEqualTo(3);
    }

    @Test
    void replacingNonEmptyDirectoryIsEnotempty() {
        ns.dirId(ALICE, ROOT, "a");
        long b = ns.dirId(ALICE, ROOT, "b");
        ns.fileId(ALICE, b, "x");
        assertThat(ns.rename(ALICE, ROOT, "a", ROOT, "b").getStatus()).isEqualTo(ENOTEMPTY);
    }

    @Test
    void directoryOverFileIsEnotdirAndFileOverDirectoryIsEisdir() {
        ns.dirId(ALICE, ROOT, "d");
        ns.fileId(ALICE, ROOT, "f");
        assertThat(ns.rename(ALICE, ROOT, "d", ROOT, "f").getStatus()).isEqualTo(ENOTDIR);
        assertThat(ns.rename(ALICE, ROOT, "f", ROOT, "d").getStatus()).isEqualTo(EISDIR);
    }

    @Test
    void directoryIntoItsOwnSubtreeIsEinval() {
        long a = ns.dirId(ALICE, ROOT, "a");
        long b = ns.dirId(ALICE, a, "b");
        assertThat(ns.rename(ALICE, ROOT, "a", b, "x").getStatus()).isEqualTo(EINVAL);
        assertThat(ns.rename(ALICE, ROOT, "a", a, "x").getStatus()).isEqualTo(EINVAL);
    }

    @Test
    void renameOntoItselfOrAHardLinkOfTheSameInodeIsANoOp() {
        long f = ns.fileId(ALICE, ROOT, "f");
        ns.expectOk(ns.link(ALICE, f, ROOT, "g"));
        String before = ns.dump();
        ns.tick();
        ns.expectOk(ns.rename(ALICE, ROOT, "f", ROOT, "f"));
        ns.expectOk(ns.rename(ALICE, ROOT, "f", ROOT, "g"));
        assertThat(ns.dump()).isEqualTo(before);
    }

    @Test
    void noreplaceOverExistingNameIsEexist() {
        ns.fileId(ALICE, ROOT, "a");
        ns.fileId(ALICE, ROOT, "b");
        assertThat(ns.rename(ALICE, ROOT, "a", ROOT, "b", NOREPLACE).getStatus()).isEqualTo(EEXIST);
        ns.expectOk(ns.rename(ALICE, ROOT, "a", ROOT, "c", NOREPLACE));
    }

    @Test
    void exchangeSwapsFileAndDirectoryAcrossDirectories() {
        long p = ns.dirId(ALICE, ROOT, "p");
        long f = ns.fileId(ALICE, ROOT, "f");
        long d = ns.dirId(ALICE, p, "d");
        ns.expectOk(ns.rename(ALICE, ROOT, "f", p, "d", EXCHANGE));
        assertThat(ns.lookupId(ROOT, "f")).isEqualTo(d);
        assertThat(ns.lookupId(p, "d")).isEqualTo(f);
        assertThat(ns.attr(ROOT).getNlink()).isEqualTo(4);
        assertThat(ns.attr(p).getNlink()).isEqualTo(2);
        assertThat(ns.store.lookup(ROOT_CRED, d, "..").getAttr().getInode()).isEqualTo(ROOT);
    }

    @Test
    void exchangeWithMissingTargetIsEnoentAndBothFlagsIsEinval() {
        ns.fileId(ALICE, ROOT, "a");
        assertThat(ns.rename(ALICE, ROOT, "a", ROOT, "b", EXCHANGE).getStatus()).isEqualTo(ENOENT);
        assertThat(ns.rename(ALICE, ROOT, "a", ROOT, "b", NOREPLACE | EXCHANGE).getStatus()).isEqualTo(EINVAL);
    }

    @Test
    void renameOfMissingSourceIsEnoent() {
        assertThat(ns.rename(ALICE, ROOT, "nope", ROOT, "x").getStatus()).isEqualTo(ENOENT);
    }

    @Test
    void renameWithoutWritePermissionOnTargetDirectoryIsEacces() {
        long d = ns.dirId(BOB, ROOT, "bobs");
        ns.expectOk(ns.chmod(BOB, d, 0755));
        ns.fileId(ALICE, ROOT, "f");
        assertThat(ns.rename(ALICE, ROOT, "f", d, "f").getStatus()).isEqualTo(EACCES);
    }

    @Test
    void stickyDirectoryRefusesRenameOfOthersFiles() {
        long tmp = ns.dirId(ROOT_CRED, ROOT, "tmp");
        ns.expectOk(ns.chmod(ROOT_CRED, tmp, 01777));
        ns.fileId(ALICE, tmp, "a");
        assertThat(ns.rename(BOB, tmp, "a", tmp, "b").getStatus()).isEqualTo(EPERM);
        ns.expectOk(ns.rename(ALICE, tmp, "a", tmp, "b"));
    }

    @Test
    void renameToInvalidNameIsEinval() {
        ns.fileId(ALICE, ROOT, "a");
        assertThat(ns.rename(ALICE, ROOT, "a", ROOT, "..").getStatus()).isEqualTo(EINVAL);
        assertThat(ns.rename(ALICE, ROOT, "a", ROOT, "x/y").getStatus()).isEqualTo(EINVAL);
    }
}
