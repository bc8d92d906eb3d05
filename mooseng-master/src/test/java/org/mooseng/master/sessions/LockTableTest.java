package org.mooseng.master.sessions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mooseng.master.sessions.LockTable.END_OF_FILE;
import static org.mooseng.master.sessions.LockTable.Mode.EXCLUSIVE;
import static org.mooseng.master.sessions.LockTable.Mode.SHARED;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.mooseng.master.sessions.LockTable.Owner;
import org.mooseng.master.sessions.LockTable.RangeLock;

class LockTableTest {
    static final long INODE = 7;
    static final Owner A = new Owner(1, 100);
    static final Owner A_OTHER_PROCESS = new Owner(1, 101);
    static final Owner B = new Owner(2, 100);

    final LockTable table = new LockTable();

    @Test
    void exclusiveRangeBlocksOtherOwnersOnlyWhereItOverlaps() {
        assertThat(table.setRange(INODE, A, Optional.of(EXCLUSIVE), 10, 19, 1)).isTrue();
        assertThat(table.setRange(INODE, B, Optional.of(SHARED), 15, 30, 2)).isFalse();
        assertThat(table.setRange(INODE, B, Optional.of(EXCLUSIVE), 20, 30, 2)).isTrue();
        assertThat(table.conflict(INODE, B, SHARED, 0, 10)).get()
                .isEqualTo(new RangeLock(A, EXCLUSIVE, 10, 19, 1));
        // Another lock owner of the same session is another owner, as another process would be.
        assertThat(table.setRange(INODE, A_OTHER_PROCESS, Optional.of(SHARED), 12, 12, 3)).isFalse();
    }

    @Test
    void sharedLocksOfDifferentOwnersCoexist() {
        assertThat(table.setRange(INODE, A, Optional.of(SHARED), 0, END_OF_FILE, 1)).isTrue();
        assertThat(table.setRange(INODE, B, Optional.of(SHARED), 5, 9, 2)).isTrue();
        assertThat(table.conflict(INODE, B, EXCLUSIVE, 0, 0)).isPresent();
        assertThat(table.conflict(INODE, A, EXCLUSIVE, 5, 9)).get().extracting(RangeLock::owner).isEqualTo(B);
    }

    @Test
    void ownLocksNeverConflictAndAreReplacedSplitAndMerged() {
        table.setRange(INODE, A, Optional.of(SHARED), 0, 99, 1);
        // Upgrading the middle splits the shared lock in three.
        assertThat(table.setRange(INODE, A, Optional.of(EXCLUSIVE), 40, 59, 1)).isTrue();
        assertThat(table.ranges(INODE)).containsExactly(
                new RangeLock(A, SHARED, 0, 39, 1), new RangeLock(A, EXCLUSIVE, 40, 59, 1),
                new RangeLock(A, SHARED, 60, 99, 1));
        // Downgrading it again merges everything back into one lock.
        table.setRange(INODE, A, Optional.of(SHARED), 40, 59, 1);
        assertThat(table.ranges(INODE)).containsExactly(new RangeLock(A, SHARED, 0, 99, 1));
        // Touching ranges merge too.
        table.setRange(INODE, A, Optional.of(SHARED), 100, 109, 1);
        assertThat(table.ranges(INODE)).containsExactly(new RangeLock(A, SHARED, 0, 109, 1));
    }

    @Test
    void unlockOfASubRangeLeavesBothEnds() {
        table.setRange(INODE, A, Optional.of(EXCLUSIVE), 0, END_OF_FILE, 1);
        table.setRange(INODE, A, Optional.empty(), 10, 19, 1);
        assertThat(table.ranges(INODE)).containsExactly(new RangeLock(A, EXCLUSIVE, 0, 9, 1),
                new RangeLock(A, EXCLUSIVE, 20, END_OF_FILE, 1));
        assertThat(table.setRange(INODE, B, Optional.of(EXCLUSIVE), 10, 19, 2)).isTrue();
        assertThat(table.setRange(INODE, B, Optional.of(EXCLUSIVE), 19, 20, 2)).isFalse();
        // Unlocking what another owner holds changes nothing of theirs.
        table.setRange(INODE, A, Optional.empty(), 10, 19, 1);
        assertThat(table.ranges(INODE)).contains(new RangeLock(B, EXCLUSIVE, 10, 19, 2));
    }

    @Test
    void flockSharedAmongOwnersExclusiveAlone() {
        assertThat(table.flock(INODE, A, Optional.of(SHARED))).isTrue();
        assertThat(table.flock(INODE, B, Optional.of(SHARED))).isTrue();
        assertThat(table.flock(INODE, B, Optional.of(EXCLUSIVE))).isFalse();
        table.flock(INODE, A, Optional.empty());
        assertThat(table.flock(INODE, B, Optional.of(EXCLUSIVE))).isTrue();
        assertThat(table.flock(INODE, A, Optional.of(SHARED))).isFalse();
        // flock and POSIX locks are independent, as on Linux.
        assertThat(table.setRange(INODE, A, Optional.of(EXCLUSIVE), 0, END_OF_FILE, 1)).isTrue();
    }

    @Test
    void closeByOwnerAndEndOfSessionReleaseTheirLocksOnly() {
        table.setRange(INODE, A, Optional.of(EXCLUSIVE), 0, 9, 1);
        table.setRange(INODE, A_OTHER_PROCESS, Optional.of(EXCLUSIVE), 20, 29, 1);
        table.setRange(INODE, B, Optional.of(EXCLUSIVE), 40, 49, 2);
        table.flock(8, A, Optional.of(EXCLUSIVE));
        table.releaseOwner(INODE, A);
        assertThat(table.ranges(INODE)).extracting(RangeLock::owner).containsExactly(A_OTHER_PROCESS, B);
        assertThat(table.flock(8, B, Optional.of(SHARED))).isFalse();

        assertThat(table.releaseSession(1)).isEqualTo(2);
        assertThat(table.ranges(INODE)).extracting(RangeLock::owner).containsExactly(B);
        assertThat(table.flock(8, B, Optional.of(SHARED))).isTrue();
    }

    @Test
    void lengthZeroMeansToTheEndAndOverflowIsClamped() {
        assertThat(LockTable.lastByte(5, 0)).isEqualTo(END_OF_FILE);
        assertThat(LockTable.lastByte(5, 10)).isEqualTo(14);
        assertThat(LockTable.lastByte(END_OF_FILE - 1, 10)).isEqualTo(END_OF_FILE);
        assertThat(new RangeLock(A, SHARED, 5, END_OF_FILE, 1).length()).isZero();
        assertThat(List.of(new RangeLock(A, SHARED, 5, 14, 1).length())).containsExactly(10L);
    }
}
