package org.mooseng.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.mooseng.proto.AccessTimesOp;
import org.mooseng.proto.Attr;
import org.mooseng.proto.CreateOp;
import org.mooseng.proto.MetaOp;
import org.mooseng.proto.MetaResult;
import org.mooseng.proto.RenameOp;
import org.mooseng.proto.SetGoalOp;
import org.mooseng.proto.UnlinkOp;

class OwnDirectoryChangesTest {
    private static final long SECOND = 1_000_000_000L;
    private final AtomicLong now = new AtomicLong(100 * SECOND);
    private final OwnDirectoryChanges changes = new OwnDirectoryChanges(now::get);

    private static MetaOp create(long parent, String name) {
        return MetaOp.newBuilder().setCreate(CreateOp.newBuilder().setParent(parent).setName(name)).build();
    }

    private static Attr directory(long inode, int nlink) {
        return Attr.newBuilder().setInode(inode).setType(org.mooseng.proto.FileType.DIRECTORY).setNlink(nlink).build();
    }

    private static MetaResult created(long child, Attr parent) {
        return MetaResult.newBuilder().setAttr(Attr.newBuilder().setInode(child)
                .setType(org.mooseng.proto.FileType.REGULAR)).setParentAttr(parent).build();
    }

    @Test
    void aChangeLeavesItsDirectoryAsReportedForAsLongAsAsked() {
        long mark = changes.beforeChange(create(7, "a"));
        changes.afterChange(mark, created(10, directory(7, 2)));
        now.addAndGet(SECOND / 4);

        RecentStat recent = changes.recent(7, SECOND).orElseThrow();
        assertThat(recent.stat().nlink()).isEqualTo(2);
        assertThat(recent.ageNanos()).isEqualTo(SECOND / 4);
        assertThat(changes.recent(7, SECOND / 4)).isEmpty();
        assertThat(changes.recent(8, SECOND)).isEmpty();
    }

    @Test
    void aLaterChangeOfTheSameDirectoryInFlightKeepsTheEarlierReportOut() {
        long first = changes.beforeChange(create(7, "a"));
        long second = changes.beforeChange(create(7, "b"));
        changes.afterChange(first, created(10, directory(7, 2)));
        assertThat(changes.recent(7, SECOND)).isEmpty(); // the second may have been applied before it

        changes.afterChange(second, created(11, directory(7, 2)));
        assertThat(changes.recent(7, SECOND)).isPresent();

        changes.beforeChange(create(7, "c")); // in flight: what it will leave is not known yet
        assertThat(changes.recent(7, SECOND)).isEmpty();
    }

    @Test
    void aSetattrOfTheDirectoryForgetsIt() {
        long mark = changes.beforeChange(create(7, "a"));
        changes.afterChange(mark, created(10, directory(7, 2)));
        changes.beforeChange(7);
        assertThat(changes.recent(7, SECOND)).isEmpty();
    }

    @Test
    void accessTimesForgetTheDirectoriesTheyNameOnly() {
        long seven = changes.beforeChange(create(7, "a"));
        changes.afterChange(seven, created(10, directory(7, 2)));
        long eight = changes.beforeChange(create(8, "a"));
        changes.afterChange(eight, created(11, directory(8, 2)));
        changes.beforeChange(MetaOp.newBuilder().setAccessTimes(AccessTimesOp.newBuilder().addInodes(7)
                .addInodes(12)).build());
        assertThat(changes.recent(7, SECOND)).isEmpty();
        assertThat(changes.recent(8, SECOND)).isPresent();
    }

    @Test
    void renameAndSetGoalForgetEverything() {
        for (MetaOp op : new MetaOp[] {
                MetaOp.newBuilder().setRename(RenameOp.newBuilder().setParent(3).setName("x").setNewParent(4)
                        .setNewName("y")).build(),
                MetaOp.newBuilder().setSetGoal(SetGoalOp.newBuilder().setInode(3)).build()}) {
            long mark = changes.beforeChange(create(7, "a"));
            changes.afterChange(mark, created(10, directory(7, 2)));
            changes.beforeChange(op);
            assertThat(changes.recent(7, SECOND)).as(op.getOpCase().toString()).isEmpty();
        }
    }

    @Test
    void aRemovedOrCreatedDirectoryIsForgotten() {
        long mark = changes.beforeChange(create(7, "a"));
        changes.afterChange(mark, created(10, directory(7, 3)));
        long rmdir = changes.beforeChange(MetaOp.newBuilder().setUnlink(UnlinkOp.newBuilder().setParent(1)
                .setName("d").setIsDir(true)).build());
        changes.afterChange(rmdir, MetaResult.newBuilder().setAttr(directory(7, 0))
                .setParentAttr(directory(1, 2)).build());
        assertThat(changes.recent(7, SECOND)).isEmpty();
        assertThat(changes.recent(1, SECOND).orElseThrow().stat().nlink()).isEqualTo(2);
    }

    @Test
    void aResultWithoutADirectoryStoresNothing() {
        long mark = changes.beforeChange(create(7, "a"));
        changes.afterChange(mark, MetaResult.newBuilder().setAttr(Attr.newBuilder().setInode(10)).build());
        assertThat(changes.recent(7, SECOND)).isEmpty();
    }
}
