package org.mooseng.common.locks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mooseng.common.locks.LockMode.EXCLUSIVE;
import static org.mooseng.common.locks.LockMode.SHARED;
import static org.mooseng.common.locks.LockRange.END_OF_FILE;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class OwnerRangesTest {
    final OwnerRanges own = new OwnerRanges();

    @Test
    void upgradingTheMiddleSplitsInThreeAndDowngradingMergesBack() {
        own.set(Optional.of(SHARED), 0, 99, 1);
        own.set(Optional.of(EXCLUSIVE), 40, 59, 2);
        assertThat(own.ranges()).containsExactly(new LockRange(SHARED, 0, 39, 1),
                new LockRange(EXCLUSIVE, 40, 59, 2), new LockRange(SHARED, 60, 99, 1));
        own.set(Optional.of(SHARED), 40, 59, 2);
        assertThat(own.ranges()).containsExactly(new LockRange(SHARED, 0, 99, 1));
    }

    @Test
    void touchingRangesOfOneModeMergeAndOfTwoModesStayApart() {
        own.set(Optional.of(SHARED), 10, 19, 1);
        own.set(Optional.of(SHARED), 20, 29, 1);
        own.set(Optional.of(EXCLUSIVE), 30, 39, 1);
        assertThat(own.ranges()).containsExactly(new LockRange(SHARED, 10, 29, 1),
                new LockRange(EXCLUSIVE, 30, 39, 1));
    }

    @Test
    void unlockCutsAHoleAndUnlockingEverythingLeavesNothing() {
        own.set(Optional.of(EXCLUSIVE), 0, END_OF_FILE, 1);
        own.set(Optional.empty(), 10, 19, 1);
        assertThat(own.ranges()).containsExactly(new LockRange(EXCLUSIVE, 0, 9, 1),
                new LockRange(EXCLUSIVE, 20, END_OF_FILE, 1));
        own.set(Optional.empty(), 0, END_OF_FILE, 1);
        assertThat(own.isEmpty()).isTrue();
    }

    @Test
    void coversOnlyWhatIsHeldInTheRequestedModeOrStronger() {
        own.set(Optional.of(EXCLUSIVE), 0, 9, 1);
        own.set(Optional.of(SHARED), 10, 19, 1);
        assertThat(own.covers(SHARED, 0, 19)).isTrue();
        assertThat(own.covers(EXCLUSIVE, 0, 9)).isTrue();
        assertThat(own.covers(EXCLUSIVE, 5, 12)).isFalse();
        assertThat(own.covers(SHARED, 15, 20)).isFalse();
        own.set(Optional.of(SHARED), 30, END_OF_FILE, 1);
        assertThat(own.covers(SHARED, 25, 40)).isFalse();
        assertThat(own.covers(SHARED, 40, END_OF_FILE)).isTrue();
    }

    @Test
    void conflictIsTheFirstOverlappingRangeThatExcludesTheMode() {
        own.set(Optional.of(SHARED), 0, 9, 1);
        own.set(Optional.of(EXCLUSIVE), 20, 29, 1);
        assertThat(own.conflict(SHARED, 0, 100)).contains(new LockRange(EXCLUSIVE, 20, 29, 1));
        assertThat(own.conflict(EXCLUSIVE, 0, 100)).contains(new LockRange(SHARED, 0, 9, 1));
        assertThat(own.conflict(EXCLUSIVE, 10, 19)).isEmpty();
    }

    @Test
    void lengthZeroMeansToTheEndAndOverflowIsClamped() {
        assertThat(LockRange.lastByte(5, 0)).isEqualTo(END_OF_FILE);
        assertThat(LockRange.lastByte(5, 10)).isEqualTo(14);
        assertThat(LockRange.lastByte(END_OF_FILE - 1, 10)).isEqualTo(END_OF_FILE);
        assertThat(new LockRange(SHARED, 5, END_OF_FILE, 1).length()).isZero();
        assertThat(new LockRange(SHARED, 5, 14, 1).length()).isEqualTo(10);
        assertThatThrownBy(() -> own.set(Optional.empty(), 5, 4, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
