package org.mooseng.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mooseng.meta.TestNamespace.ALICE;
import static org.mooseng.meta.TestNamespace.BOB;
import static org.mooseng.meta.TestNamespace.EACCES;
import static org.mooseng.meta.TestNamespace.EINVAL;
import static org.mooseng.meta.TestNamespace.ENODATA;
import static org.mooseng.meta.TestNamespace.ENOENT;
import static org.mooseng.meta.TestNamespace.ENOTDIR;
import static org.mooseng.meta.TestNamespace.ROOT;
import static org.mooseng.meta.TestNamespace.ROOT_CRED;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.proto.DirEntry;
import org.mooseng.proto.FileType;

class ReadsTest {
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
    void lookupNeedsSearchPermissionOnParent() {
        long d = ns.dirId(ALICE, ROOT, "d");
        long f = ns.fileId(ALICE, d, "f");
        ns.expectOk(ns.chmod(ALICE, d, 0700));
        assertThat(ns.store.lookup(BOB, d, "f").getStatus()).isEqualTo(EACCES);
        assertThat(ns.store.lookup(ALICE, d, "f").getAttr().getInode()).isEqualTo(f);
        assertThat(ns.store.lookup(ROOT_CRED, d, "f").getAttr().getInode()).isEqualTo(f);
    }

    @Test
    void lookupOfMissingNameIsEnoentAndUnderFileIsEnotdir() {
        long f = ns.fileId(ALICE, ROOT, "f");
        assertThat(ns.store.lookup(ALICE, ROOT, "nope").getStatus()).isEqualTo(ENOENT);
        assertThat(ns.store.lookup(ALICE, f, "x").getStatus()).isEqualTo(ENOTDIR);
        assertThat(ns.store.lookup(ALICE, 999, "x").getStatus()).isEqualTo(ENOENT);
    }

    @Test
    void lookupOfDotAndDotDot() {
        long d = ns.dirId(ALICE, ROOT, "d");
        assertThat(ns.store.lookup(ALICE, d, ".").getAttr().getInode()).isEqualTo(d);
        assertThat(ns.store.lookup(ALICE, d, "..").getAttr().getInode()).isEqualTo(ROOT);
        assertThat(ns.store.lookup(ALICE, ROOT, "..").getAttr().getInode()).isEqualTo(ROOT);
    }

    @Test
    void accessFollowsOwnerGroupOtherBitsAndRootRules() {
        long f = ns.fileId(ALICE, ROOT, "f");
        ns.expectOk(ns.chmod(ALICE, f, 0640));
        assertThat(ns.store.access(ALICE, f, 6).getStatus()).isZero();
        assertThat(ns.store.access(ALICE, f, 1).getStatus()).isEqualTo(EACCES);
        assertThat(ns.store.access(BOB, f, 4).getStatus()).isEqualTo(EACCES);
        assertThat(ns.store.access(BOB.toBuilder().addGroups(1000).build(), f, 4).getStatus()).isZero();
        assertThat(ns.store.access(BOB, f, 0).getStatus()).isZero();
        assertThat(ns.store.access(ROOT_CRED, f, 6).getStatus()).isZero();
        // Root may not execute a file without any execute bit, but may once one bit is set.
        assertThat(ns.store.access(ROOT_CRED, f, 1).getStatus()).isEqualTo(EACCES);
        ns.expectOk(ns.chmod(ALICE, f, 0641));
        assertThat(ns.store.access(ROOT_CRED, f, 1).getStatus()).isZero();
        assertThat(ns.store.access(ALICE, 999, 0).getStatus()).isEqualTo(ENOENT);
        assertThat(ns.store.access(ALICE, f, 8).getStatus()).isEqualTo(EINVAL);
    }

    @Test
    void readDirListsEntriesWithTypesAndNeedsReadPermission() {
        long d = ns.dirId(ALICE, ROOT, "d");
        ns.fileId(ALICE, d, "f");
        ns.dirId(ALICE, d, "s");
        assertThat(ns.list(d)).extracting(DirEntry::getName, DirEntry::getType)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("f", FileType.REGULAR),
                        org.assertj.core.groups.Tuple.tuple("s", FileType.DIRECTORY));
        ns.expectOk(ns.chmod(ALICE, d, 0300));
        assertThat(ns.store.readDir(ALICE, d, 0, 10).getStatus()).isEqualTo(EACCES);
        long f = ns.lookupId(d, "f");
        assertThat(ns.store.readDir(ALICE, f, 0, 10).getStatus()).isEqualTo(ENOTDIR);
    }

    @Test
    void readDirPagesEndWithEof() {
        for (int i = 0; i < 5; i++) {
            ns.fileId(ALICE, ROOT, "f" + i);
        }
        var first = ns.store.readDir(ALICE, ROOT, 0, 3);
        assertThat(first.getEntriesCount()).isEqualTo(3);
        assertThat(first.getEof()).isFalse();
        var second = ns.store.readDir(ALICE, ROOT, first.getEntries(2).getCookie(), 3);
        assertThat(second.getEntriesList()).extracting(DirEntry::getName).containsExactly("f3", "f4");
        assertThat(second.getEof()).isTrue();
    }

    @Test
    void aPackedPageHoldsTheSameEntriesAsTheMessagePageInTheDocumentedLayout() {
        ns.fileId(ALICE, ROOT, "plain");
        ns.dirId(ALICE, ROOT, "größe-日本");
        ns.fileId(ALICE, ROOT, "x".repeat(255));
        var messages = ns.store.readDir(ALICE, ROOT, 0, 2);
        var packed = ns.store.readDirPacked(ALICE, ROOT, 0, 2);

        // cookie u64, inode u64, type u8, name length u16, name; big-endian
        List<DirEntry> decoded = ReadDirPagingTest.decode(packed.getPackedEntries());
        assertThat(packed.getEntriesCount()).isZero();
        assertThat(decoded).isEqualTo(messages.getEntriesList()).hasSize(2);
        assertThat(packed.getEof()).isEqualTo(messages.getEof()).isFalse();

        var rest = ns.store.readDirPacked(ALICE, ROOT, decoded.getLast().getCookie(), 10);
        assertThat(rest.getEof()).isTrue();
        assertThat(rest.getPackedEntries().size()).isEqualTo(8 + 8 + 1 + 2 + 255);
        long closed = ns.dirId(ALICE, ROOT, "closed");
        ns.expectOk(ns.chmod(ALICE, closed, 0300));
        assertThat(ns.store.readDirPacked(ALICE, closed, 0, 10).getStatus()).isEqualTo(EACCES);
    }

    @Test
    void getXattrNeedsReadPermissionAndMissingIsEnodata() {
        long f = ns.fileId(ALICE, ROOT, "f");
        ns.expectOk(ns.setXattr(ALICE, f, "user.a", "v".getBytes(StandardCharsets.UTF_8), 0));
        ns.expectOk(ns.chmod(ALICE, f, 0600));
        assertThat(ns.store.getXattr(BOB, f, "user.a").getStatus()).isEqualTo(EACCES);
        assertThat(ns.store.getXattr(ALICE, f, "user.b").getStatus()).isEqualTo(ENODATA);
        assertThat(ns.store.listXattr(ALICE, f).getNamesList()).containsExactly("user.a");
    }

    @Test
    void statsAreMaintainedWithoutScanning() {
        long d = ns.dirId(ALICE, ROOT, "d");
        long f = ns.fileId(ALICE, d, "f");
        ns.expectOk(ns.symlink(ALICE, d, "l", "f"));
        ns.expectOk(ns.writeBegin(f, 0));
        ns.expectOk(ns.writeEnd(f, 123));
        var stats = ns.store.stats();
        assertThat(stats.inodes()).isEqualTo(4);
        assertThat(stats.directories()).isEqualTo(2);
        assertThat(stats.files()).isEqualTo(1);
        assertThat(stats.chunks()).isEqualTo(1);
        assertThat(stats.totalFileBytes()).isEqualTo(123);
    }

    @Test
    void cacheStaysWithinItsBound() throws Exception {
        try (TestNamespace small = TestNamespace.withCache(dir.resolve("small"), 64)) {
            small.expectOk(small.format("c"));
            for (int i = 0; i < 500; i++) {
                small.fileId(ROOT_CRED, ROOT, "f" + i);
                small.lookupId(ROOT, "f" + (i / 2));
            }
            assertThat(small.store.cachedEntries()).isLessThanOrEqualTo(64);
            assertThat(small.list(ROOT)).hasSize(500);
        }
    }
}
