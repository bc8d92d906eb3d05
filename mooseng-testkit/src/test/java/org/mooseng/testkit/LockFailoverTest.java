package org.mooseng.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.client.LockInfo;
import org.mooseng.client.LockType;
import org.mooseng.client.MoosengClient;
import org.mooseng.client.MoosengException;
import org.mooseng.client.SessionOptions;
import org.mooseng.client.SessionSummary;
import org.mooseng.client.UserCredentials;
import org.mooseng.common.InodeId;
import org.mooseng.common.Status;
import org.mooseng.master.MasterConfig;
import org.mooseng.master.MasterServer;

/**
 * Locks survive the loss of the leader: the new leader holds none, and its grace period keeps
 * them from others until their holders have given them back; it ends early once every session
 * has. Three real masters, real clients.
 */
class LockFailoverTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final long HOLDER = 11;
    private static final long OTHER = 22;
    private static final long OTHER_WAITING = 23;

    @TempDir
    Path root;
    private MasterGroup group;

    @AfterEach
    void stop() {
        if (group != null) {
            group.close();
        }
    }

    @Test
    void locksHeldAcrossALeaderChangeAreReclaimedAndStillRefuseOthers() throws Exception {
        // Clients renew every 3 s, so a holder that makes no lock call learns of the new leader
        // well within the 10 s grace period.
        group = MasterGroup.start(root, 3, c -> c.with(MasterConfig.RAFT_ELECTION_TIMEOUT_MS, 600L)
                .with(MasterConfig.SESSION_LEASE_MS, 9_000L).with(MasterConfig.LOCK_RECLAIM_GRACE_MS, 10_000L));
        MasterServer first = group.awaitLeader(WAIT);
        MoosengClient holder = mount("/mnt/holder");
        MoosengClient other = mount("/mnt/other");
        // A session that never reaches the new leader keeps its grace period to the full length
        // (until it expires), however soon the two others have reclaimed.
        onlyKnowing(first, "/mnt/silent");
        InodeId file = holder.create(InodeId.ROOT, "shared", 0666, true).inode();
        holder.setLock(file, HOLDER, LockType.EXCLUSIVE, 0, 100, 1234);
        holder.flock(file, HOLDER, LockType.EXCLUSIVE, true);
        assertRefused(() -> other.setLock(file, OTHER, LockType.SHARED, 50, 10, 99), "locked by another owner");

        group.stop(first);
        group.awaitLeader(WAIT);

        // During the grace period the other client gets nothing, whether or not the holder has reclaimed yet.
        assertRefused(() -> other.setLock(file, OTHER, LockType.EXCLUSIVE, 50, 10, 99), "grace period");
        assertRefused(() -> other.flock(file, OTHER, LockType.SHARED, true), "grace period");
        // A blocking wait keeps asking through the grace period and after it.
        CompletableFuture<Void> waiter = CompletableFuture.runAsync(() -> {
            try {
                other.setLockWait(file, OTHER_WAITING, LockType.SHARED, 0, 1, 98);
            } catch (MoosengException e) {
                throw new IllegalStateException(e);
            }
        });

        // Bytes nobody held are granted once the grace period is over...
        await().atMost(WAIT).until(() -> granted(() -> other.setLock(file, OTHER, LockType.EXCLUSIVE, 100, 10, 99)));
        // ...while the holder's range and flock, given back to the new leader, still refuse the other client.
        assertRefused(() -> other.setLock(file, OTHER, LockType.EXCLUSIVE, 50, 10, 99), "locked by another owner");
        assertRefused(() -> other.flock(file, OTHER, LockType.SHARED, true), "locked by another owner");
        assertThat(other.getLock(file, OTHER, LockType.SHARED, 0, 0, 99)).isEqualTo(new LockInfo(LockType.EXCLUSIVE,
                0, 100, 1234, holder.sessionId().orElseThrow(), HOLDER));
        assertThat(waiter).isNotDone();

        holder.setLock(file, HOLDER, LockType.UNLOCK, 0, 0, 1234);
        holder.flock(file, HOLDER, LockType.UNLOCK, true);
        waiter.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        other.setLock(file, OTHER, LockType.SHARED, 50, 10, 99);
        other.flock(file, OTHER, LockType.EXCLUSIVE, true);
        assertThat(holder.getLock(file, HOLDER, LockType.EXCLUSIVE, 0, 0, 1234).sessionId())
                .isEqualTo(other.sessionId().orElseThrow());
    }

    @Test
    void locksOfAHolderThatNeverReclaimsAreFreeOnceTheGracePeriodEnds() throws Exception {
        // The lease is far longer than the test: it is the end of the grace period, not the
        // holder's session expiring, that frees its locks.
        group = MasterGroup.start(root, 3, c -> c.with(MasterConfig.RAFT_ELECTION_TIMEOUT_MS, 600L)
                .with(MasterConfig.SESSION_LEASE_MS, 600_000L).with(MasterConfig.LOCK_RECLAIM_GRACE_MS, 8_000L));
        MasterServer first = group.awaitLeader(WAIT);
        // The holder knows only the first leader: once it is gone the holder cannot reach the
        // group, as a client killed or cut off could not, and never gives its locks back.
        MoosengClient holder = onlyKnowing(first, "/mnt/lost");
        MoosengClient other = mount("/mnt/other");
        InodeId file = holder.create(InodeId.ROOT, "abandoned", 0666, true).inode();
        holder.setLock(file, HOLDER, LockType.EXCLUSIVE, 0, 0, 1234);
        holder.flock(file, HOLDER, LockType.SHARED, true);
        assertRefused(() -> other.flock(file, OTHER, LockType.EXCLUSIVE, true), "locked by another owner");

        group.stop(first);
        group.awaitLeader(WAIT);

        assertRefused(() -> other.setLock(file, OTHER, LockType.EXCLUSIVE, 0, 0, 99), "grace period");
        assertRefused(() -> other.flock(file, OTHER, LockType.EXCLUSIVE, true), "grace period");
        await().atMost(WAIT).until(() -> granted(() -> other.setLock(file, OTHER, LockType.EXCLUSIVE, 0, 0, 99)));
        other.flock(file, OTHER, LockType.EXCLUSIVE, true);
        assertThat(other.listSessions()).extracting(SessionSummary::sessionId)
                .contains(holder.sessionId().orElseThrow());
    }

    @Test
    void theGracePeriodEndsAsSoonAsEverySessionHasReclaimed() throws Exception {
        // Renewals every 40 s and a 20 s grace period: only the client noticing the new leader
        // by itself, and saying when it has reclaimed, frees new locks within seconds.
        group = MasterGroup.start(root, 3, c -> c.with(MasterConfig.RAFT_ELECTION_TIMEOUT_MS, 600L)
                .with(MasterConfig.SESSION_LEASE_MS, 120_000L).with(MasterConfig.LOCK_RECLAIM_GRACE_MS, 20_000L));
        MasterServer first = group.awaitLeader(WAIT);
        MoosengClient holder = mount("/mnt/holder");
        MoosengClient other = mount("/mnt/other");
        InodeId file = holder.create(InodeId.ROOT, "held", 0666, true).inode();
        InodeId free = holder.create(InodeId.ROOT, "free", 0666, true).inode();
        holder.setLock(file, HOLDER, LockType.EXCLUSIVE, 0, 100, 1234);

        group.stop(first);
        group.awaitLeader(WAIT);
        Instant leaderUp = Instant.now();
        // The holder makes no lock call, only one that lands on the new leader.
        holder.stat("/");

        await().atMost(Duration.ofSeconds(8)).pollInterval(Duration.ofMillis(100))
                .until(() -> granted(() -> other.setLock(free, OTHER, LockType.EXCLUSIVE, 0, 0, 99)));
        assertThat(Duration.between(leaderUp, Instant.now())).isLessThan(Duration.ofSeconds(8));
        // The holder's lock was given back before the period ended, and still refuses the other client.
        assertRefused(() -> other.setLock(file, OTHER, LockType.SHARED, 50, 10, 99), "locked by another owner");
        assertThat(other.getLock(file, OTHER, LockType.SHARED, 0, 0, 99)).isEqualTo(new LockInfo(LockType.EXCLUSIVE,
                0, 100, 1234, holder.sessionId().orElseThrow(), HOLDER));
    }

    /** A client that knows only {@code member}: once that member is gone it reaches no one. */
    private MoosengClient onlyKnowing(MasterServer member, String mountPoint) throws MoosengException {
        return group.newClient(group.clientOptions().master(group.clientAddress(member))
                .credentials(UserCredentials.root()).session(SessionOptions.forMount(mountPoint))
                .failoverTimeoutMs(1_000));
    }

    private MoosengClient mount(String mountPoint) throws MoosengException {
        return group.newClient(group.clientOptions().credentials(UserCredentials.root())
                .session(SessionOptions.forMount(mountPoint)));
    }

    private static void assertRefused(ThrowingCallable call, String why) {
        assertThatThrownBy(call).isInstanceOfSatisfying(MoosengException.class, e -> {
            assertThat(e.status()).isEqualTo(Status.EAGAIN);
            assertThat(e.getMessage()).contains(why);
        });
    }

    @FunctionalInterface
    private interface LockCall {
        void run() throws MoosengException;
    }

    private static boolean granted(LockCall call) throws MoosengException {
        try {
            call.run();
            return true;
        } catch (MoosengException e) {
            if (e.status() != Status.EAGAIN) {
                throw e;
            }
            return false;
        }
    }
}
