package org.mooseng.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mooseng.common.locks.LockMode.EXCLUSIVE;
import static org.mooseng.common.locks.LockMode.SHARED;
import static org.mooseng.common.locks.LockRange.END_OF_FILE;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.mooseng.common.locks.LockRange;

class LockLedgerTest {
    static final long INODE = 7;
    static final long OWNER = 100;
    static final long OTHER_OWNER = 101;

    final LockLedger ledger = new LockLedger();

    @Test
    void rangesAreSplitAndMergedAsTheMasterDoes() {
        ledger.setRange(INODE, OWNER, Optional.of(SHARED), 0, 99, 1);
        ledger.setRange(INODE, OWNER, Optional.of(EXCLUSIVE), 40, 59, 1);
        assertThat(ledger.ranges(INODE, OWNER)).containsExactly(new LockRange(SHARED, 0, 39, 1),
                new LockRange(EXCLUSIVE, 40, 59, 1), new LockRange(SHARED, 60, 99, 1));
        ledger.setRange(INODE, OWNER, Optional.of(SHARED), 40, 59, 1);
        ledger.setRange(INODE, OWNER, Optional.of(SHARED), 100, 109, 1);
        assertThat(ledger.ranges(INODE, OWNER)).containsExactly(new LockRange(SHARED, 0, 109, 1));
        ledger.setRange(INODE, OWNER, Optional.empty(), 10, 19, 1);
        assertThat(ledger.ranges(INODE, OWNER)).containsExactly(new LockRange(SHARED, 0, 9, 1),
                new LockRange(SHARED, 20, 109, 1));
        assertThat(ledger.size()).isEqualTo(2);
    }

    @Test
    void ownersAndFilesAreKeptApartAndFlockBesideRanges() {
        ledger.setRange(INODE, OWNER, Optional.of(EXCLUSIVE), 0, END_OF_FILE, 1);
        ledger.setRange(INODE, OTHER_OWNER, Optional.of(SHARED), 5, 5, 2);
        ledger.setRange(INODE + 1, OWNER, Optional.of(SHARED), 5, 5, 1);
        ledger.setFlock(INODE, OWNER, Optional.of(SHARED));
        ledger.setFlock(INODE, OWNER, Optional.of(EXCLUSIVE));
        assertThat(ledger.snapshot()).containsExactly(
                new LockLedger.Held(INODE, OWNER, List.of(new LockRange(EXCLUSIVE, 0, END_OF_FILE, 1)),
                        Optional.of(EXCLUSIVE)),
                new LockLedger.Held(INODE, OTHER_OWNER, List.of(new LockRange(SHARED, 5, 5, 2)), Optional.empty()),
                new LockLedger.Held(INODE + 1, OWNER, List.of(new LockRange(SHARED, 5, 5, 1)), Optional.empty()));
        assertThat(ledger.size()).isEqualTo(4);
    }

    @Test
    void unlockingEverythingAndReleasingTheOwnerLeaveNoEntry() {
        ledger.setRange(INODE, OWNER, Optional.of(EXCLUSIVE), 0, 9, 1);
        ledger.setFlock(INODE, OWNER, Optional.of(SHARED));
        ledger.setRange(INODE, OWNER, Optional.empty(), 0, END_OF_FILE, 1);
        assertThat(ledger.isEmpty()).isFalse();
        ledger.setFlock(INODE, OWNER, Optional.empty());
        assertThat(ledger.isEmpty()).isTrue();

        ledger.setRange(INODE, OWNER, Optional.of(EXCLUSIVE), 0, 9, 1);
        ledger.setFlock(INODE, OWNER, Optional.of(SHARED));
        ledger.setRange(INODE, OTHER_OWNER, Optional.of(SHARED), 20, 29, 2);
        ledger.releaseOwner(INODE, OWNER);
        assertThat(ledger.snapshot()).extracting(LockLedger.Held::owner).containsExactly(OTHER_OWNER);
        // Unlocking what is not held is no entry either.
        ledger.setRange(INODE + 5, OWNER, Optional.empty(), 0, 9, 1);
        ledger.setFlock(INODE + 5, OWNER, Optional.empty());
        assertThat(ledger.size()).isEqualTo(1);
        assertThat(ledger.clear()).isEqualTo(1);
        assertThat(ledger.isEmpty()).isTrue();
    }

    @Test
    void aLostLockLeavesOnlyThatRangeOrFlock() {
        ledger.setRange(INODE, OWNER, Optional.of(EXCLUSIVE), 0, 9, 1);
        ledger.setRange(INODE, OWNER, Optional.of(SHARED), 20, 29, 1);
        ledger.setFlock(INODE, OWNER, Optional.of(SHARED));
        ledger.lost(INODE, OWNER, Optional.of(new LockRange(EXCLUSIVE, 0, 9, 1)));
        assertThat(ledger.ranges(INODE, OWNER)).containsExactly(new LockRange(SHARED, 20, 29, 1));
        ledger.lost(INODE, OWNER, Optional.empty());
        assertThat(ledger.flock(INODE, OWNER)).isEmpty();
        assertThat(ledger.size()).isEqualTo(1);
    }
}
