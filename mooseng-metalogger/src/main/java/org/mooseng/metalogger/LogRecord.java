package org.mooseng.metalogger;

import java.time.Instant;
import java.util.Objects;

/**
 * One archived entry of the metadata log: a committed {@code MetaOp} as the leader wrote it.
 *
 * @param index     its Raft log index
 * @param prevIndex the index of the entry applied just before it (0 for the first). Raft
 *                  indexes of applied entries have holes (configuration entries never reach the
 *                  state machine), so continuity is checked through this link instead: a
 *                  restore that finds a record whose {@code prevIndex} is not the index it holds
 *                  knows that entries are missing
 * @param seconds   the leader's timestamp of the op ({@code MetaOp.now}), seconds
 * @param nanos     and nanoseconds
 * @param op        the serialized {@code MetaOp}
 */
public record LogRecord(long index, long prevIndex, long seconds, int nanos, byte[] op) {
    public LogRecord {
        if (index <= 0 || prevIndex < 0 || prevIndex >= index) {
            throw new IllegalArgumentException("log record " + index + ": bad indexes (previous " + prevIndex + ")");
        }
        if (nanos < 0 || nanos > 999_999_999) {
            throw new IllegalArgumentException("log record " + index + ": nanos out of range: " + nanos);
        }
        Objects.requireNonNull(op);
    }

    /** The leader's timestamp of the op. */
    public Instant time() {
        return Instant.ofEpochSecond(seconds, nanos);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LogRecord r && r.index == index && r.prevIndex == prevIndex && r.seconds == seconds
                && r.nanos == nanos && java.util.Arrays.equals(r.op, op);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(index) * 31 + java.util.Arrays.hashCode(op);
    }

    @Override
    public String toString() {
        return "LogRecord[" + index + " after " + prevIndex + " at " + time() + ", " + op.length + " bytes]";
    }
}
