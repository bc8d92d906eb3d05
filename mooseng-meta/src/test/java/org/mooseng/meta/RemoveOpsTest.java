package org.mooseng.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mooseng.meta.TestNamespace.ALICE;
import static org.mooseng.meta.TestNamespace.BOB;
import static org.mooseng.meta.TestNamespace.EACCES;
import static org.mooseng.meta.TestNamespace.EINVAL;
import static org.mooseng.meta.TestNamespace.EISDIR;
import static org.mooseng.meta.TestNamespace.ENOENT;
import static org.mooseng.meta.TestNamespace.ENOTDIR;
import static org.mooseng.meta.TestNamespace.ENOTEMPTY;
import static org.mooseng.meta.TestNamespace.EPERM;
import static org.mooseng.meta.TestNamespace.ROOT;
import static org.mooseng.meta.TestNamespace.ROOT_CRED;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.proto.MetaResult;

class RemoveOpsTest {
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
    void unlinkOfLastLinkDeletesInodeXattrsAndReleasesChunks() {
        long f = ns.fileId(ALICE, ROOT, "f");
        long c0 = ns.expectOk(ns.writeBegin(f, 0)).getChunk().getChunkId();
        long c1 = ns.expectOk(ns.writeBegin(f, 1)).getChunk().getChunkId();
        ns.expectOk(ns.writeEnd(f, 100L << 20));
        ns.expectOk(ns.setXattr(ALICE, f, "user.k", "v".getBytes(StandardCharsets.UTF_8), 0));
        ns.tick();
        MetaResult r = ns.expectOk(ns.unlink(ALICE, ROOT, "f"));
        assertThat(r.getReleasedChunksList()).containsExactlyInAnyOrder(c0, c1);
        assertThat(ns.attrStatus(f)).isEqualTo(ENOENT);
        assertThat(ns.store.listXattr(ROOT_CRED, f).getStatus()).isEqualTo(ENOENT);
        assertThat(ns.store.chunksOf(f)).isEmpty();
        assertThat(ns.store.chunkExists(c0)).isFalse();
        assertThat(ns.store.lookup(ROOT_CRED, ROOT, "f").getStatus()).isEqualTo(ENOENT);
        assertThat(ns.attr(ROOT).getMtime()).isEqualTo(ns.now);
        var stats = ns.store.stats();
        assertThat(stats.files()).isZero();
        assertThat(stats.chunks()).isZero();
        assertThat(stats.totalFileBytes()).isZero();
        assertThat(stats.inodes()).isEqualTo(1);
    }

    @Test
    void unlinkOfOneHardLinkKeepsInodeAndChunks() {
        long f = ns.fileId(ALICE, ROOT, "f");
        long chunk = ns.expectOk(ns.writeBegin(f, 0)).getChunk().getChunkId();
        ns.expectOk(ns.link(ALICE, f, ROOT, "g"));
        ns.tick();
        MetaResult r = ns.expectOk(ns.unlink(ALICE, ROOT, "f"));
        assertThat(r.getReleasedChunksList()).isEmpty();
        assertThat(ns.attr(f).getNlink()).isEqualTo(1);
        assertThat(ns.attr(f).getCtime()).isEqualTo(ns.now);
        assertThat(ns.store.chunkExists(chunk)).isTrue();
        assertThat(ns.lookupId(ROOT, "g")).isEqualTo(f);
    }

    @Test
    void rmdirRemovesEmptyDirectoryAndLowersParentNlink() {
        long d = ns.dirId(ALICE, ROOT, "d");
        assertThat(ns.attr(ROOT).getNlink()).isEqualTo(3);
        ns.expectOk(ns.rmdir(ALICE, ROOT, "d"));
        assertThat(ns.attr(ROOT).getNlink()).isEqualTo(2);
        assertThat(ns.attrStatus(d)).isEqualTo(ENOENT);
        assertThat(ns.store.stats().directories()).isEqualTo(1);
    }

    @Test
    void rmdirOfNonEmptyDirectoryIsEnotempty() {
        long d = ns.dirId(ALICE, ROOT, "d");
        ns.fileId(ALICE, d, "f");
        assertThat(ns.rmdir(ALICE, ROOT, "d").getStatus()).isEqualTo(ENOTEMPTY);
        ns.expectOk(ns.unlink(ALICE, d, "f"));
        ns.expectOk(ns.rmdir(ALICE, ROOT, "d"));
    }

    @Test
    void rmdirOfFileIsEnotdirAndUnlinkOfDirectoryIsEisdir() {
        ns.fileId(ALICE, ROOT, "f");
        ns.dirId(ALICE, ROOT, "d");
        assertThat(ns.rmdir(ALICE, ROOT, "f").getStatus()).isEqualTo(ENOTDIR);
        assertThat(ns.unlink(ALICE, ROOT, "d").getStatus()).isEqualTo(EISDIR);
    }

    @Test
    void removeOfMissingNameIsEnoentAndInFileParentIsEnotdir() {
        long f = ns.fileId(ALICE, ROOT, "f");
        assertThat(ns.unlink(ALICE, ROOT, "nope").getStatus()).isEqualTo(ENOENT);
        assertThat(ns.unlink(ALICE, f, "x").getStatus()).isEqualTo(ENOTDIR);
    }

    @Test
    void rmdirOfDotIsEinvalAndOfDotDotIsEnotempty() {
        assertThat(ns.rmdir(ALICE, ROOT, ".").getStatus()).isEqualTo(EINVAL);
        assertThat(ns.rmdir(ALICE, ROOT, "..").getStatus()).isEqualTo(ENOTEMPTY);
    }

    @Test
    void removeWithoutWritePermissionOnParentIsEacces() {
        long d = ns.dirId(ALICE, ROOT, "d");
        ns.fileId(ALICE, d, "f");
        assertThat(ns.unlink(BOB, d, "f").getStatus()).isEqualTo(EACCES);
        assertThat(ns.lookupId(d, "f")).isPositive();
    }

    @Test
    void stickyDirectoryLetsOnlyOwnersRemove() {
        long tmp = ns.dirId(ROOT_CRED, ROOT, "tmp");
        ns.expectOk(ns.chmod(ROOT_CRED, tmp, 01777));
        ns.fileId(ALICE, tmp, "alices");
        ns.fileId(BOB, tmp, "bobs");
        assertThat(ns.unlink(BOB, tmp, "alices").getStatus()).isEqualTo(EPERM);
        ns.expectOk(ns.unlink(BOB, tmp, "bobs"));
        ns.expectOk(ns.unlink(ROOT_CRED, tmp, "alices"));
    }
}
