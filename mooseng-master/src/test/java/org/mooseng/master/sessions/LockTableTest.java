package org.mooseng.master.sessions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mooseng.common.locks.LockMode.EXCLUSIVE;
import static org.mooseng.common.locks.LockMode.SHARED;
import static org.mooseng.common.locks.LockRange.END_OF_FILE;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mooseng.common.locks.LockMode;
import org.mooseng.master.sessions.LockTable.Conflict;
import org.mooseng.master.sessions.LockTable.EarlyGraceEnd;
import org.mooseng.master.sessions.LockTable.Granted;
import org.mooseng.master.sessions.LockTable.InGrace;
import org.mooseng.master.sessions.LockTable.NotLeading;
import org.mooseng.master.sessions.LockTable.Outcome;
import org.mooseng.master.sessions.LockTable.Owner;
import org.mooseng.master.sessions.LockTable.RangeLock;

class LockTableTest {
    static final long INODE = 7;
    static final long TERM = 4;
    static final Owner A = new Owner(1, 100);
    static final Owner A_OTHER_PROCESS = new Owner(1, 101);
    static final Owner B = new Owner(2, 100);
    static final long SESSION_C = 3;
    static final long GRACE_ENDS_MS = 10_000;
    static final long DURING_GRACE_MS = 4_000;
    static final long AFTER_GRACE_MS = GRACE_ENDS_MS;

    final LockTable table = new LockTable();
    /** The table's clock; after the grace period unless a test moves it. */
    long nowMs = AFTER_GRACE_MS;

    @BeforeEach
    void lead() {
        table.startTerm(TERM, GRACE_ENDS_MS);
    }

    // ------------------------------------------------------------------ ranges and flocks of one term

    @Test
    void exclusiveRangeBlocksOtherOwnersOnlyWhereItOverlaps() {
        assertThat(take(A, EXCLUSIVE, 10, 19, 1)).isEqualTo(new Granted(TERM));
        assertThat(take(B, SHARED, 15, 30, 2)).isEqualTo(new Conflict(TERM, A));
        assertThat(take(B, EXCLUSIVE, 20, 30, 2)).isEqualTo(new Granted(TERM));
        assertThat(table.conflict(INODE, B, SHARED, 0, 10)).get()
                .isEqualTo(new RangeLock(A, EXCLUSIVE, 10, 19, 1));
        // Another lock owner of the same session is another owner, as another process would be.
        assertThat(take(A_OTHER_PROCESS, SHARED, 12, 12, 3)).isInstanceOf(Conflict.class);
    }

    @Test
    void sharedLocksOfDifferentOwnersCoexist() {
        assertThat(take(A, SHARED, 0, END_OF_FILE, 1)).isInstanceOf(Granted.class);
        assertThat(take(B, SHARED, 5, 9, 2)).isInstanceOf(Granted.class);
        assertThat(table.conflict(INODE, B, EXCLUSIVE, 0, 0)).isPresent();
        assertThat(table.conflict(INODE, A, EXCLUSIVE, 5, 9)).get().extracting(RangeLock::owner).isEqualTo(B);
    }

    @Test
    void ownLocksNeverConflictAndAreReplacedSplitAndMerged() {
        take(A, SHARED, 0, 99, 1);
        // Upgrading the middle splits the shared lock in three.
        assertThat(take(A, EXCLUSIVE, 40, 59, 1)).isInstanceOf(Granted.class);
        assertThat(table.ranges(INODE)).containsExactly(
                new RangeLock(A, SHARED, 0, 39, 1), new RangeLock(A, EXCLUSIVE, 40, 59, 1),
                new RangeLock(A, SHARED, 60, 99, 1));
        // Downgrading it again merges everything back into one lock.
        take(A, SHARED, 40, 59, 1);
        assertThat(table.ranges(INODE)).containsExactly(new RangeLock(A, SHARED, 0, 99, 1));
        // Touching ranges merge too.
        take(A, SHARED, 100, 109, 1);
        assertThat(table.ranges(INODE)).containsExactly(new RangeLock(A, SHARED, 0, 109, 1));
    }

    @Test
    void unlockOfASubRangeLeavesBothEnds() {
        take(A, EXCLUSIVE, 0, END_OF_FILE, 1);
        unlock(A, 10, 19);
        assertThat(table.ranges(INODE)).containsExactly(new RangeLock(A, EXCLUSIVE, 0, 9, 1),
                new RangeLock(A, EXCLUSIVE, 20, END_OF_FILE, 1));
        assertThat(take(B, EXCLUSIVE, 10, 19, 2)).isInstanceOf(Granted.class);
        assertThat(take(B, EXCLUSIVE, 19, 20, 2)).isInstanceOf(Conflict.class);
        // Unlocking what another owner holds changes nothing of theirs.
        unlock(A, 10, 19);
        assertThat(table.ranges(INODE)).contains(new RangeLock(B, EXCLUSIVE, 10, 19, 2));
    }

    @Test
    void flockSharedAmongOwnersExclusiveAlone() {
        assertThat(flock(A, SHARED)).isInstanceOf(Granted.class);
        assertThat(flock(B, SHARED)).isInstanceOf(Granted.class);
        assertThat(flock(B, EXCLUSIVE)).isEqualTo(new Conflict(TERM, A));
        table.flock(INODE, A, Optional.empty(), false, nowMs);
        assertThat(flock(B, EXCLUSIVE)).isInstanceOf(Granted.class);
        assertThat(flock(A, SHARED)).isInstanceOf(Conflict.class);
        // flock and POSIX locks are independent, as on Linux.
        assertThat(take(A, EXCLUSIVE, 0, END_OF_FILE, 1)).isInstanceOf(Granted.class);
    }

    @Test
    void closeByOwnerAndEndOfSessionReleaseTheirLocksOnly() {
        take(A, EXCLUSIVE, 0, 9, 1);
        take(A_OTHER_PROCESS, EXCLUSIVE, 20, 29, 1);
        take(B, EXCLUSIVE, 40, 49, 2);
        table.flock(8, A, Optional.of(EXCLUSIVE), false, nowMs);
        table.releaseOwner(INODE, A);
        assertThat(table.ranges(INODE)).extracting(RangeLock::owner).containsExactly(A_OTHER_PROCESS, B);
        assertThat(table.flock(8, B, Optional.of(SHARED), false, nowMs)).isInstanceOf(Conflict.class);

        assertThat(table.releaseSession(1)).isEqualTo(2);
        assertThat(table.ranges(INODE)).extracting(RangeLock::owner).containsExactly(B);
        assertThat(table.flock(8, B, Optional.of(SHARED), false, nowMs)).isInstanceOf(Granted.class);
    }

    // ------------------------------------------------------------------ leader terms and the grace period

    @Test
    void duringGraceReclaimsAreGrantedAndNewLocksRefused() {
        nowMs = DURING_GRACE_MS;
        assertThat(reclaim(A, EXCLUSIVE, 0, 99, 1)).isEqualTo(new Granted(TERM));
        assertThat(flockReclaim(A, SHARED)).isEqualTo(new Granted(TERM));
        // B asks for bytes nobody reclaimed (yet): refused all the same, as their holder may still come.
        assertThat(take(B, SHARED, 200, 299, 2)).isEqualTo(new InGrace(TERM, GRACE_ENDS_MS - DURING_GRACE_MS));
        assertThat(flock(B, SHARED)).isInstanceOf(InGrace.class);
        // A's own upgrade is a new lock too; a downgrade of what A holds is not.
        assertThat(flock(A, EXCLUSIVE)).isInstanceOf(InGrace.class);
        assertThat(take(A, EXCLUSIVE, 100, 100, 1)).isInstanceOf(InGrace.class);
        assertThat(take(A, SHARED, 10, 19, 1)).isInstanceOf(Granted.class);
        assertThat(table.ranges(INODE)).containsExactly(new RangeLock(A, EXCLUSIVE, 0, 9, 1),
                new RangeLock(A, SHARED, 10, 19, 1), new RangeLock(A, EXCLUSIVE, 20, 99, 1));
        assertThat(table.ranges(INODE + 1)).isEmpty();
    }

    @Test
    void duringGraceUnlocksAndClosesAreApplied() {
        nowMs = DURING_GRACE_MS;
        reclaim(A, EXCLUSIVE, 0, 99, 1);
        flockReclaim(A, EXCLUSIVE);
        assertThat(unlock(A, 0, 49)).isInstanceOf(Granted.class);
        assertThat(table.ranges(INODE)).containsExactly(new RangeLock(A, EXCLUSIVE, 50, 99, 1));
        assertThat(table.flock(INODE, A, Optional.empty(), false, nowMs)).isInstanceOf(Granted.class);
        assertThat(flockReclaim(B, EXCLUSIVE)).isInstanceOf(Granted.class);
        table.releaseOwner(INODE, A);
        assertThat(table.ranges(INODE)).isEmpty();
    }

    @Test
    void duringGraceAReclaimThatConflictsIsRefused() {
        nowMs = DURING_GRACE_MS;
        reclaim(A, SHARED, 0, 99, 1);
        flockReclaim(A, EXCLUSIVE);
        assertThat(reclaim(B, EXCLUSIVE, 50, 50, 2)).isEqualTo(new Conflict(TERM, A));
        assertThat(flockReclaim(B, SHARED)).isEqualTo(new Conflict(TERM, A));
        assertThat(reclaim(B, SHARED, 50, 150, 2)).isInstanceOf(Granted.class);
        assertThat(table.ranges(INODE)).extracting(RangeLock::owner).containsExactly(A, B);
    }

    @Test
    void afterGraceNewLocksAreOrdinaryAndReclaimsAreOrdinaryRequests() {
        nowMs = DURING_GRACE_MS;
        reclaim(A, EXCLUSIVE, 0, 99, 1);
        nowMs = AFTER_GRACE_MS;
        assertThat(table.inGrace(nowMs)).isFalse();
        assertThat(take(B, EXCLUSIVE, 100, 199, 2)).isInstanceOf(Granted.class);
        assertThat(take(B, SHARED, 50, 50, 2)).isEqualTo(new Conflict(TERM, A));
        // A reclaim that comes too late gets what an ordinary request would.
        assertThat(reclaim(B, EXCLUSIVE, 0, 0, 2)).isEqualTo(new Conflict(TERM, A));
        assertThat(reclaim(A, EXCLUSIVE, 300, 399, 1)).isInstanceOf(Granted.class);
        assertThat(flock(B, EXCLUSIVE)).isInstanceOf(Granted.class);
    }

    @Test
    void aNewTermDropsEveryLockOfTheOldOneAndOpensAnotherGracePeriod() {
        take(A, EXCLUSIVE, 0, 99, 1);
        flock(A, EXCLUSIVE);
        table.startTerm(TERM + 1, nowMs + 5_000);
        assertThat(table.term()).isEqualTo(TERM + 1);
        assertThat(table.ranges(INODE)).isEmpty();
        assertThat(take(B, EXCLUSIVE, 0, 99, 2)).isEqualTo(new InGrace(TERM + 1, 5_000));
        assertThat(reclaim(B, EXCLUSIVE, 0, 99, 2)).isEqualTo(new Granted(TERM + 1));
    }

    @Test
    void graceEndsEarlyOnceEverySessionOfEarlierTermsSaysItHasReclaimed() {
        table.startTerm(TERM, GRACE_ENDS_MS, List.of(A.sessionId(), B.sessionId()));
        nowMs = DURING_GRACE_MS;
        reclaim(A, EXCLUSIVE, 0, 99, 1);
        assertThat(table.reclaimComplete(A.sessionId(), TERM, nowMs)).isEmpty();
        assertThat(take(B, SHARED, 200, 299, 2)).isInstanceOf(InGrace.class);

        nowMs = DURING_GRACE_MS + 1_000;
        assertThat(table.reclaimComplete(B.sessionId(), TERM, nowMs))
                .contains(new EarlyGraceEnd(TERM, GRACE_ENDS_MS - nowMs, 2, 0));
        assertThat(table.inGrace(nowMs)).isFalse();
        assertThat(take(B, SHARED, 200, 299, 2)).isEqualTo(new Granted(TERM));
        // What was reclaimed still holds.
        assertThat(take(B, SHARED, 50, 50, 2)).isEqualTo(new Conflict(TERM, A));
    }

    @Test
    void aSessionThatSaysNothingKeepsTheGracePeriodToItsFullLength() {
        table.startTerm(TERM, GRACE_ENDS_MS, List.of(A.sessionId(), B.sessionId(), SESSION_C));
        nowMs = DURING_GRACE_MS;
        assertThat(table.reclaimComplete(A.sessionId(), TERM, nowMs)).isEmpty();
        assertThat(table.reclaimComplete(B.sessionId(), TERM, nowMs)).isEmpty();
        // Saying it twice counts once; saying it for another leader's term counts for nothing.
        assertThat(table.reclaimComplete(B.sessionId(), TERM, nowMs)).isEmpty();
        assertThat(table.reclaimComplete(SESSION_C, TERM - 1, nowMs)).isEmpty();
        assertThat(table.reclaimComplete(SESSION_C, TERM + 1, nowMs)).isEmpty();

        nowMs = GRACE_ENDS_MS - 1;
        assertThat(take(B, SHARED, 200, 299, 2)).isEqualTo(new InGrace(TERM, 1));
        nowMs = GRACE_ENDS_MS;
        assertThat(take(B, SHARED, 200, 299, 2)).isEqualTo(new Granted(TERM));
        // Once the period is over by time, a late word does not report an early end.
        assertThat(table.reclaimComplete(SESSION_C, TERM, nowMs)).isEmpty();
    }

    @Test
    void aSessionThatEndsNoLongerHoldsTheGracePeriodUp() {
        table.startTerm(TERM, GRACE_ENDS_MS, List.of(A.sessionId(), B.sessionId(), SESSION_C));
        nowMs = DURING_GRACE_MS;
        assertThat(table.reclaimComplete(A.sessionId(), TERM, nowMs)).isEmpty();
        assertThat(table.sessionEnded(SESSION_C, nowMs)).isEmpty();
        assertThat(table.inGrace(nowMs)).isTrue();
        assertThat(table.sessionEnded(B.sessionId(), nowMs))
                .contains(new EarlyGraceEnd(TERM, GRACE_ENDS_MS - DURING_GRACE_MS, 1, 2));
        assertThat(take(A, EXCLUSIVE, 0, 0, 1)).isEqualTo(new Granted(TERM));
    }

    @Test
    void withoutSessionsThereIsNoGracePeriodAndWithUnknownSessionsItRunsItsFullLength() {
        table.startTerm(TERM, GRACE_ENDS_MS, List.of());
        assertThat(table.inGrace(0)).isFalse();

        table.startTerm(TERM + 1, GRACE_ENDS_MS);
        nowMs = DURING_GRACE_MS;
        assertThat(table.reclaimComplete(A.sessionId(), TERM + 1, nowMs)).isEmpty();
        assertThat(table.sessionEnded(B.sessionId(), nowMs)).isEmpty();
        assertThat(take(A, EXCLUSIVE, 0, 0, 1)).isInstanceOf(InGrace.class);
    }

    @Test
    void aNewTermWaitsForItsOwnSessionsAgain() {
        table.startTerm(TERM, GRACE_ENDS_MS, List.of(A.sessionId()));
        nowMs = DURING_GRACE_MS;
        assertThat(table.reclaimComplete(A.sessionId(), TERM, nowMs)).isPresent();
        table.startTerm(TERM + 1, nowMs + 5_000, List.of(A.sessionId()));
        assertThat(take(B, SHARED, 0, 0, 2)).isInstanceOf(InGrace.class);
        assertThat(table.reclaimComplete(A.sessionId(), TERM, nowMs)).isEmpty();
        assertThat(table.reclaimComplete(A.sessionId(), TERM + 1, nowMs)).isPresent();
        assertThat(take(B, SHARED, 0, 0, 2)).isInstanceOf(Granted.class);
    }

    @Test
    void aMasterThatStoppedLeadingGrantsNothing() {
        take(A, EXCLUSIVE, 0, 99, 1);
        table.endTerm();
        assertThat(table.term()).isZero();
        assertThat(table.ranges(INODE)).isEmpty();
        assertThat(take(B, EXCLUSIVE, 0, 99, 2)).isInstanceOf(NotLeading.class);
        assertThat(reclaim(A, EXCLUSIVE, 0, 99, 1)).isInstanceOf(NotLeading.class);
        assertThat(flock(A, SHARED)).isInstanceOf(NotLeading.class);
        assertThat(table.ranges(INODE)).isEmpty();
    }

    private Outcome take(Owner owner, LockMode mode, long first, long last, int pid) {
        return table.setRange(INODE, owner, Optional.of(mode), first, last, pid, false, nowMs);
    }

    private Outcome reclaim(Owner owner, LockMode mode, long first, long last, int pid) {
        return table.setRange(INODE, owner, Optional.of(mode), first, last, pid, true, nowMs);
    }

    private Outcome unlock(Owner owner, long first, long last) {
        return table.setRange(INODE, owner, Optional.empty(), first, last, 0, false, nowMs);
    }

    private Outcome flock(Owner owner, LockMode mode) {
        return table.flock(INODE, owner, Optional.of(mode), false, nowMs);
    }

    private Outcome flockReclaim(Owner owner, LockMode mode) {
        return table.flock(INODE, owner, Optional.of(mode), true, nowMs);
    }
}
