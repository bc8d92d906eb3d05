package org.mooseng.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mooseng.cli.bench.FailoverTiming.Acknowledgement;

class FailoverTimingTest {
    private static final long MS = 1_000_000;
    /** nanoTime values may be negative; the arithmetic must not care. */
    private static final long KILL = -5_000 * MS;
    /** The last poll that saw no survivor leading in a newer term. */
    private static final long LEADERLESS_UNTIL = KILL + 1_400 * MS;

    private static Acknowledgement ack(int writer, long sentMsAfterKill, long ackedMsAfterKill) {
        return new Acknowledgement(writer, KILL + sentMsAfterKill * MS, KILL + ackedMsAfterKill * MS);
    }

    @Test
    void aMutationInFlightAtTheKillThatCompletesOnTheNewLeaderEndsTheFailover() {
        FailoverTiming timing = FailoverTiming.of(KILL, LEADERLESS_UNTIL, 2, List.of(
                ack(0, -30, -10),        // before the kill: ignored
                ack(0, -5, 1500),        // in flight at the kill, retried onto the new leader
                ack(0, 1500, 1510),
                ack(1, -2, 1700),
                ack(1, 1700, 1720)));

        assertThat(timing.failover()).contains(Duration.ofMillis(1500));
        assertThat(timing.everyWriterResumed()).contains(Duration.ofMillis(1700));
        assertThat(timing.ackedByOldLeader()).isZero();
    }

    @Test
    void aReplyTheOldLeaderSentJustBeforeTheKillIsNotAFailover() {
        FailoverTiming timing = FailoverTiming.of(KILL, LEADERLESS_UNTIL, 1, List.of(
                ack(0, -1, 6),           // answered by the old leader, read 6 ms after the kill
                ack(0, 6, 1450)));

        assertThat(timing.ackedByOldLeader()).isEqualTo(1);
        assertThat(timing.failover()).contains(Duration.ofMillis(1450));
        assertThat(timing.everyWriterResumed()).contains(Duration.ofMillis(1450));
    }

    @Test
    void anAcknowledgementAtTheLastLeaderlessPollStillCountsAsTheOldLeaders() {
        FailoverTiming timing = FailoverTiming.of(KILL, LEADERLESS_UNTIL, 1, List.of(ack(0, 1, 1400)));

        assertThat(timing.ackedByOldLeader()).isEqualTo(1);
        assertThat(timing.failover()).isEmpty();
    }

    @Test
    void aWriterThatNeverResumedLeavesEveryWriterResumedEmpty() {
        FailoverTiming timing = FailoverTiming.of(KILL, LEADERLESS_UNTIL, 2, List.of(ack(0, 1400, 1450)));

        assertThat(timing.failover()).contains(Duration.ofMillis(1450));
        assertThat(timing.everyWriterResumed()).isEmpty();
    }

    @Test
    void noAcknowledgementAfterTheKillMeansNoFailoverWasSeen() {
        FailoverTiming timing = FailoverTiming.of(KILL, LEADERLESS_UNTIL, 1, List.of(ack(0, -20, -1)));

        assertThat(timing.failover()).isEmpty();
        assertThat(timing.everyWriterResumed()).isEmpty();
        assertThat(timing.ackedByOldLeader()).isZero();
    }

    @Test
    void inconsistentInputIsRefused() {
        assertThatThrownBy(() -> FailoverTiming.of(KILL, KILL - 1, 1, List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FailoverTiming.of(KILL, LEADERLESS_UNTIL, 1, List.of(ack(1, 100, 200))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ack(0, 200, 100)).isInstanceOf(IllegalArgumentException.class);
    }
}
