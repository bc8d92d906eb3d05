package org.mooseng.cli.bench;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What one leader kill cost the writers, computed from their acknowledged mutations. Times are
 * {@link System#nanoTime()} values of the benchmark's JVM.
 *
 * <p>The kill is the instant just before SIGKILL was sent. Until the benchmark has seen a
 * surviving master lead in a newer term, only the old leader can have acknowledged anything: a
 * reply it sent just before the kill may still reach a writer a few milliseconds later. Such
 * acknowledgements are counted apart and do not end the failover. Every later one comes from a
 * leader elected since; a mutation that was in flight at the kill and that the client's retry
 * completed on the new leader counts, as that is what a user waiting for it sees.
 *
 * @param failover           kill until the first mutation acknowledged by a new leader, by any
 *                           writer; empty when no writer got one
 * @param everyWriterResumed kill until the last writer got its first acknowledgement from a new
 *                           leader; empty when a writer got none
 * @param ackedByOldLeader   acknowledgements received after the kill that only the old leader
 *                           can have sent
 */
public record FailoverTiming(Optional<Duration> failover, Optional<Duration> everyWriterResumed,
                             int ackedByOldLeader) {

    /** One mutation a writer saw acknowledged: when it was sent and when the reply came. */
    public record Acknowledgement(int writer, long sentNanos, long ackedNanos) {
        public Acknowledgement {
            if (ackedNanos - sentNanos < 0) {
                throw new IllegalArgumentException("writer " + writer + ": acknowledged before it was sent");
            }
        }
    }

    /**
     * Times one kill from the acknowledgements of {@code writers} writers (numbered from 0)
     * during the round. {@code leaderlessUntilNanos} is the last instant at which the benchmark
     * saw no survivor lead in a newer term; acknowledgements from before the kill are ignored.
     */
    public static FailoverTiming of(long killNanos, long leaderlessUntilNanos, int writers,
                                    List<Acknowledgement> acks) {
        if (leaderlessUntilNanos - killNanos < 0) {
            throw new IllegalArgumentException("a new leader cannot have been missed before the kill");
        }
        long first = Long.MAX_VALUE;
        long[] firstByWriter = new long[writers];
        java.util.Arrays.fill(firstByWriter, Long.MAX_VALUE);
        int byOldLeader = 0;
        for (Acknowledgement ack : acks) {
            if (ack.writer() < 0 || ack.writer() >= writers) {
                throw new IllegalArgumentException("writer " + ack.writer() + " outside 0.." + (writers - 1));
            }
            if (ack.ackedNanos() - killNanos <= 0) {
                continue;
            }
            if (ack.ackedNanos() - leaderlessUntilNanos <= 0) {
                byOldLeader++;
                continue;
            }
            long sinceKill = ack.ackedNanos() - killNanos;
            first = Math.min(first, sinceKill);
            firstByWriter[ack.writer()] = Math.min(firstByWriter[ack.writer()], sinceKill);
        }
        long lastWriter = writers == 0 ? Long.MAX_VALUE : 0;
        for (long writerFirst : firstByWriter) {
            lastWriter = Math.max(lastWriter, writerFirst);
        }
        return new FailoverTiming(nanos(first), nanos(lastWriter), byOldLeader);
    }

    private static Optional<Duration> nanos(long value) {
        return value == Long.MAX_VALUE ? Optional.empty() : Optional.of(Duration.ofNanos(value));
    }
}
