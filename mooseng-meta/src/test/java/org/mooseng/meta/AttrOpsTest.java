package org.mooseng.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mooseng.meta.TestNamespace.ALICE;
import static org.mooseng.meta.TestNamespace.BOB;
import static org.mooseng.meta.TestNamespace.EACCES;
import static org.mooseng.meta.TestNamespace.EEXIST;
import static org.mooseng.meta.TestNamespace.EINVAL;
import static org.mooseng.meta.TestNamespace.EISDIR;
import static org.mooseng.meta.TestNamespace.ENODATA;
import static org.mooseng.meta.TestNamespace.ENOENT;
import static org.mooseng.meta.TestNamespace.EPERM;
import static org.mooseng.meta.TestNamespace.ERANGE;
import static org.mooseng.meta.TestNamespace.ROOT;
import static org.mooseng.meta.TestNamespace.ROOT_CRED;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.proto.AccessTimesOp;
import org.mooseng.proto.Attr;
import org.mooseng.proto.Credentials;
import org.mooseng.proto.MetaOp;
import org.mooseng.proto.MetaResult;
import org.mooseng.proto.SetAttrOp;
import org.mooseng.proto.SetAttrOp.Field;

class AttrOpsTest {
    static final byte[] V = "v".getBytes(StandardCharsets.UTF_8);

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

    private SetAttrOp.Builder op(long inode, Field... fields) {
        int valid = 0;
        for (Field f : fields) {
            valid |= f.getNumber();
        }
        return SetAttrOp.newBuilder().setInode(inode).setValid(valid);
    }

    @Test
    void chmodByOwnerSetsModeAndCtime() {
        long f = ns.fileId(ALICE, ROOT, "f");
        ns.tick();
        Attr a = ns.expectOk(ns.chmod(ALICE, f, 0600)).getAttr();
        assertThat(a.getMode()).isEqualTo(0600);
        assertThat(a.getCtime()).isEqualTo(ns.now);
        assertThat(ns.attr(f).getMode()).isEqualTo(0600);
    }

    @Test
    void chmodByOtherUserIsEperm() {
        long f = ns.fileId(ALICE, ROOT, "f");
        assertThat(ns.chmod(BOB, f, 0777).getStatus()).isEqualTo(EPERM);
        ns.expectOk(ns.chmod(ROOT_CRED, f, 0777));
    }

    @Test
    void chmodSetgidByNonMemberOfFileGroupClearsSetgid() {
        long f = ns.fileId(ALICE, ROOT, "f");
        ns.expectOk(ns.setAttr(ROOT_CRED, op(f, Field.SET_GID).setGid(3000)));
        assertThat(ns.expectOk(ns.chmod(ALICE, f, 02755)).getAttr().getMode()).isEqualTo(0755);
        Credentials aliceIn3000 = ALICE.toBuilder().addGroups(3000).build();
        assertThat(ns.expectOk(ns.chmod(aliceIn3000, f, 02755)).getAttr().getMode()).isEqualTo(02755);
    }

    @Test
    void chownByNonRootIsEpermAndByRootWorks() {
        long f = ns.fileId(ALICE, ROOT, "f");
        assertThat(ns.setAttr(ALICE, op(f, Field.SET_UID).setUid(2000)).getStatus()).isEqualTo(EPERM);
        assertThat(ns.expectOk(ns.setAttr(ROOT_CRED, op(f, Field.SET_UID).setUid(2000))).getAttr().getUid())
                .isEqualTo(2000);
    }

    @Test
    void chgrpByOwnerOnlyToOwnGroup() {
        long f = ns.fileId(ALICE, ROOT, "f");
        assertThat(ns.setAttr(ALICE, op(f, Field.SET_GID).setGid(2000)).getStatus()).isEqualTo(EPERM);
        Credentials aliceIn2000 = ALICE.toBuilder().addGroups(2000).build();
        assertThat(ns.expectOk(ns.setAttr(aliceIn2000, op(f, Field.SET_GID).setGid(2000))).getAttr().getGid())
                .isEqualTo(2000);
        Credentials bobIn1000 = BOB.toBuilder().addGroups(1000).build();
        assertThat(ns.setAttr(bobIn1000, op(f, Field.SET_GID).setGid(1000)).getStatus()).isEqualTo(EPERM);
    }

    @Test
    void chownByNonRootClearsSetuidAndSetgidOfRegularFiles() {
        long f = ns.fileId(ALICE, ROOT, "f");
        ns.expectOk(ns.chmod(ALICE, f, 06755));
        Credentials aliceIn2000 = ALICE.toBuilder().addGroups(2000).build();
        Attr a = ns.expectOk(ns.setAttr(aliceIn2000, op(f, Field.SET_GID).setGid(2000))).getAttr();
        assertThat(a.getMode()).isEqualTo(0755);
    }

    @Test
    void explicitTimesNeedOwnerAndRoundTripExactly() {
        long f = ns.fileId(ALICE, ROOT, "f");
        ns.expectOk(ns.chmod(ALICE, f, 0666));
        var far = TestNamespace.time(1L << 40, 999_999_999);
        var before1970 = TestNamespace.time(-86_400L * 365 * 80, 5);
        assertThat(ns.setAttr(BOB, op(f, Field.SET_MTIME).setMtime(far)).getStatus()).isEqualTo(EPERM);
        ns.expectOk(ns.setAttr(ALICE, op(f, Field.SET_MTIME, Field.SET_ATIME).setMtime(far).setAtime(before1970)));
        assertThat(ns.attr(f).getMtime()).isEqualTo(far);
        assertThat(ns.attr(f).getAtime()).isEqualTo(before1970);
    }

    @Test
    void anAccessMovesAtimeOnlyAndNeedsReadPermission() {
        long f = ns.fileId(ALICE, ROOT, "f");
        ns.expectOk(ns.chmod(ALICE, f, 0640));
        Attr before = ns.attr(f);
        ns.tick();
        assertThat(ns.setAttr(BOB, op(f, Field.ACCESSED)).getStatus()).isEqualTo(EACCES);
        Attr after = ns.expectOk(ns.setAttr(ALICE, op(f, Field.ACCESSED))).getAttr();
        assertThat(after.getAtime()).isEqualTo(ns.now);
        assertThat(after.getCtime()).isEqualTo(before.getCtime());
        assertThat(after.getMtime()).isEqualTo(before.getMtime());
        assertThat(ns.attr(f)).isEqualTo(after);
        // Not mixed with a real setattr, which would move ctime.
        assertThat(ns.setAttr(ALICE, op(f, Field.ACCESSED, Field.SET_MTIME_NOW)).getStatus())
                .isEqualTo(EINVAL);
    }

    private MetaResult accessTimes(Credentials cred, boolean relatime, long... inodes) {
        AccessTimesOp.Builder op = AccessTimesOp.newBuilder().setRelatime(relatime);
        for (long inode : inodes) {
            op.addInodes(inode);
        }
        return ns.apply(cred, MetaOp.newBuilder().setAccessTimes(op));
    }

    @Test
    void batchedAccessesFollowRelatimeAndSkipWhatTheyMayNotTouch() {
        long fresh = ns.fileId(ALICE, ROOT, "fresh"); // atime == mtime: relatime moves it
        long read = ns.fileId(ALICE, ROOT, "read");
        long secret = ns.fileId(ALICE, ROOT, "secret");
        ns.expectOk(ns.chmod(ALICE, secret, 0600));
        ns.tick();
        ns.expectOk(ns.setAttr(ALICE, op(read, Field.ACCESSED))); // atime now after mtime and ctime
        Attr readBefore = ns.attr(read);
        Attr secretBefore = ns.attr(secret);
        ns.tick();

        ns.expectOk(accessTimes(BOB, true, fresh, read, secret, 999_999));

        assertThat(ns.attr(fresh).getAtime()).isEqualTo(ns.now);
        assertThat(ns.attr(fresh).getCtime()).as("an access leaves ctime").isNotEqualTo(ns.now);
        assertThat(ns.attr(read)).as("relatime: newer than mtime and ctime").isEqualTo(readBefore);
        assertThat(ns.attr(secret)).as("not readable by the caller").isEqualTo(secretBefore);

        ns.tick();
        ns.expectOk(accessTimes(ALICE, false, read, secret));
        assertThat(ns.attr(read).getAtime()).as("strictatime").isEqualTo(ns.now);
        assertThat(ns.attr(secret).getAtime()).isEqualTo(ns.now);
    }

    @Test
    void relatimeMovesAnAtimeADayOld() {
        long f = ns.fileId(ALICE, ROOT, "f");
        ns.tick();
        ns.expectOk(ns.setAttr(ALICE, op(f, Field.ACCESSED)));
        ns.now = TestNamespace.time(ns.now.getSeconds() + 24 * 3600 - 1, 0);
        ns.expectOk(accessTimes(ALICE, true, f));
        assertThat(ns.attr(f).getAtime()).isNotEqualTo(ns.now);
        ns.tick();
        ns.expectOk(accessTimes(ALICE, true, f));
        assertThat(ns.attr(f).getAtime()).isEqualTo(ns.now);
    }

    @Test
    void timesNowNeedOwnerRootOrWritePermission() {
        long f = ns.fileId(ALICE, ROOT, "f");
        assertThat(ns.setAttr(BOB, op(f, Field.SET_MTIME_NOW)).getStatus()).isEqualTo(EACCES);
        ns.expectOk(ns.chmod(ALICE, f, 0666));
        ns.tick();
        ns.expectOk(ns.setAttr(BOB, op(f, Field.SET_MTIME_NOW, Field.SET_ATIME_NOW)));
        assertThat(ns.attr(f).getMtime()).isEqualTo(ns.now);
        assertThat(ns.attr(f).getAtime()).isEqualTo(ns.now);
    }

    @Test
    void setSizeNeedsWritePermissionAndARegularFile() {
        long f = ns.fileId(ALICE, ROOT, "f");
        long d = ns.dirId(ALICE, ROOT, "d");
        ns.expectOk(ns.symlink(ALICE, ROOT, "l", "f"));
        long l = ns.lookupId(ROOT, "l");
        assertThat(ns.truncate(BOB, f, 10).getStatus()).isEqualTo(EACCES);
        assertThat(ns.truncate(ALICE, d, 10).getStatus()).isEqualTo(EISDIR);
        assertThat(ns.truncate(ALICE, l, 10).getStatus()).isEqualTo(EINVAL);
        ns.tick();
        Attr a = ns.expectOk(ns.truncate(ALICE, f, 10)).getAttr();
        assertThat(a.getSize()).isEqualTo(10);
        assertThat(a.getMtime()).isEqualTo(ns.now);
        assertThat(ns.store.stats().totalFileBytes()).isEqualTo(10);
    }

    @Test
    void setAttrOfMissingInodeIsEnoent() {
        assertThat(ns.chmod(ROOT_CRED, 999, 0644).getStatus()).isEqualTo(ENOENT);
    }

    @Test
    void setXattrStoresValueAndTouchesCtime() {
        long f = ns.fileId(ALICE, ROOT, "f");
        ns.tick();
        ns.expectOk(ns.setXattr(ALICE, f, "user.a", V, 0));
        assertThat(ns.store.getXattr(ALICE, f, "user.a").getValue().toByteArray()).isEqualTo(V);
        assertThat(ns.store.listXattr(ALICE, f).getNamesList()).containsExactly("user.a");
        assertThat(ns.attr(f).getCtime()).isEqualTo(ns.now);
    }

    @Test
    void xattrCreateOnExistingIsEexistAndReplaceOnMissingIsEnodata() {
        long f = ns.fileId(ALICE, ROOT, "f");
        assertThat(ns.setXattr(ALICE, f, "user.a", V, 2).getStatus()).isEqualTo(ENODATA);
        ns.expectOk(ns.setXattr(ALICE, f, "user.a", V, 1));
        assertThat(ns.setXattr(ALICE, f, "user.a", V, 1).getStatus()).isEqualTo(EEXIST);
        ns.expectOk(ns.setXattr(ALICE, f, "user.a", "w".getBytes(StandardCharsets.UTF_8), 2));
        assertThat(ns.store.getXattr(ALICE, f, "user.a").getValue().toStringUtf8()).isEqualTo("w");
    }

    @Test
    void xattrNameOver255BytesOrValueOver64KiBIsErange() {
        long f = ns.fileId(ALICE, ROOT, "f");
        assertThat(ns.setXattr(ALICE, f, "u".repeat(256), V, 0).getStatus()).isEqualTo(ERANGE);
        assertThat(ns.setXattr(ALICE, f, "user.big", new byte[(64 << 10) + 1], 0).getStatus()).isEqualTo(ERANGE);
        ns.expectOk(ns.setXattr(ALICE, f, "u".repeat(255), new byte[64 << 10], 0));
    }

    @Test
    void xattrWithoutWritePermissionIsEacces() {
        long f = ns.fileId(ALICE, ROOT, "f");
        assertThat(ns.setXattr(BOB, f, "user.a", V, 0).getStatus()).isEqualTo(EACCES);
    }

    @Test
    void removeXattrDeletesAndMissingIsEnodata() {
        long f = ns.fileId(ALICE, ROOT, "f");
        assertThat(ns.removeXattr(ALICE, f, "user.a").getStatus()).isEqualTo(ENODATA);
        ns.expectOk(ns.setXattr(ALICE, f, "user.a", V, 0));
        ns.expectOk(ns.removeXattr(ALICE, f, "user.a"));
        assertThat(ns.store.getXattr(ALICE, f, "user.a").getStatus()).isEqualTo(ENODATA);
    }

    @Test
    void setGoalOutsideOneToNineIsEinval() {
        long f = ns.fileId(ALICE, ROOT, "f");
        assertThat(ns.setGoal(ALICE, f, 0, false).getStatus()).isEqualTo(EINVAL);
        assertThat(ns.setGoal(ALICE, f, 10, false).getStatus()).isEqualTo(EINVAL);
        assertThat(ns.expectOk(ns.setGoal(ALICE, f, 9, false)).getAttr().getGoal()).isEqualTo(9);
    }

    @Test
    void recursiveSetGoalWalksTheSubtreeAndSkipsOthersInodesForNonRoot() {
        long d = ns.dirId(ALICE, ROOT, "d");
        long sub = ns.dirId(ALICE, d, "sub");
        long deep = ns.fileId(ALICE, sub, "deep");
        ns.expectOk(ns.chmod(ALICE, d, 0777));
        long bobs = ns.fileId(BOB, d, "bobs");
        long outside = ns.fileId(ALICE, ROOT, "outside");
        ns.expectOk(ns.setGoal(ALICE, d, 4, true));
        assertThat(ns.attr(d).getGoal()).isEqualTo(4);
        assertThat(ns.attr(sub).getGoal()).isEqualTo(4);
        assertThat(ns.attr(deep).getGoal()).isEqualTo(4);
        assertThat(ns.attr(bobs).getGoal()).isEqualTo(2);
        assertThat(ns.attr(outside).getGoal()).isEqualTo(2);
        ns.expectOk(ns.setGoal(ROOT_CRED, d, 3, true));
        assertThat(ns.attr(bobs).getGoal()).isEqualTo(3);
    }

    @Test
    void setGoalByOtherUserIsEperm() {
        long f = ns.fileId(ALICE, ROOT, "f");
        assertThat(ns.setGoal(BOB, f, 3, false).getStatus()).isEqualTo(EPERM);
    }
}
