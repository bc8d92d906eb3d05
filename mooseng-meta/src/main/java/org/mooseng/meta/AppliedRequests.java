package org.mooseng.meta;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.mooseng.common.Status;
import org.mooseng.common.StatusException;
import org.mooseng.proto.MetaOp;
import org.mooseng.proto.MetaResult;
import org.mooseng.proto.Timespec;

/**
 * The table of applied client requests, which makes a retried mutation take effect once. A
 * client whose reply was lost (leader killed after the commit, connection dropped) sends the
 * same op again with the same request id; the first attempt may or may not have committed.
 * An op with a request id records id -> its result, accepted or rejected, in the same batch
 * as its effects; an op whose id is already recorded gets that result back and changes nothing.
 *
 * <p>Retention is decided by the log alone, never by a clock of this machine: an entry lives
 * at least {@link #RETENTION_SECONDS} of leader time ({@code op.now}), and every apply removes
 * at most {@link #SWEEP_PER_APPLY} of the oldest entries older than that, in expiry-key order.
 * Every replica, a replay and a restored checkpoint therefore keep the same table. Sweeping
 * more than one entry per apply keeps the table from growing beyond the ops of one retention
 * period plus a backlog that shrinks with every apply.
 *
 * <pre>
 * requests        request id -> format 1, u32 op field number, MetaResult (protobuf)
 * request_expiry  s64 seconds (sign bit flipped) + u32 nanos of op.now + request id -> empty
 * </pre>
 *
 * Used by the apply thread only.
 */
final class AppliedRequests {
    /** How long (leader time) a retry is recognised; far above a client's retry budget (30 s). */
    static final long RETENTION_SECONDS = 600;
    /** Expired entries removed by one apply at most: bounds the work per op. */
    static final int SWEEP_PER_APPLY = 16;
    /** Clients send 16 random bytes; anything much longer is a broken client, not an id. */
    static final int MAX_REQUEST_ID_BYTES = 64;

    private static final byte FORMAT_V1 = 1;
    private static final byte[] EMPTY = new byte[0];
    private static final int TIME_BYTES = Long.BYTES + Integer.BYTES;

    private final CommittedView committed;
    /**
     * No live expiry key sorts before this one, so the sweep seeks here instead of walking the
     * tombstones of what it removed before. A hint only: it changes the cost of a sweep, never
     * which entries it removes, so a fresh instance (after open or restore) starts at the
     * beginning and reaches the same decisions.
     */
    private byte[] sweepFrom = EMPTY;

    AppliedRequests(CommittedView committed) {
        this.committed = committed;
    }

    /**
     * The recorded result of an earlier op with the same request id, if there was one. EINVAL
     * for an id that is too long, or that an earlier op of another kind used (a client bug:
     * answering it with the other op's result would be wrong either way).
     */
    Optional<MetaResult> earlier(MetaOp op) throws StatusException {
        ByteString id = op.getRequestId();
        if (id.isEmpty()) {
            return Optional.empty();
        }
        if (id.size() > MAX_REQUEST_ID_BYTES) {
            throw new StatusException(Status.EINVAL, "request id of " + id.size() + " bytes (at most "
                    + MAX_REQUEST_ID_BYTES + ")");
        }
        byte[] value = committed.store().get(Family.REQUESTS, id.toByteArray());
        if (value == null) {
            return Optional.empty();
        }
        ByteBuffer in = ByteBuffer.wrap(value);
        byte format = in.get();
        if (format != FORMAT_V1) {
            throw new IllegalStateException("request " + hex(id) + ": unknown record format " + format);
        }
        int opNumber = in.getInt();
        if (opNumber != op.getOpCase().getNumber()) {
            throw new StatusException(Status.EINVAL, "request " + hex(id) + ": id already used by a "
                    + MetaOp.OpCase.forNumber(opNumber) + " op, now sent with a " + op.getOpCase() + " op");
        }
        try {
            return Optional.of(MetaResult.parseFrom(in));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("request " + hex(id) + ": undecodable recorded result", e);
        }
    }

    /** Records the result of {@code op}, which carries a request id not seen before. */
    void record(ApplyBatch tx, MetaOp op, MetaResult result) {
        byte[] id = op.getRequestId().toByteArray();
        if (id.length == 0 || id.length > MAX_REQUEST_ID_BYTES) {
            throw new IllegalArgumentException("request id of " + id.length + " bytes cannot be recorded");
        }
        byte[] encoded = result.toByteArray();
        tx.putBookkeeping(Family.REQUESTS, id, ByteBuffer.allocate(1 + Integer.BYTES + encoded.length)
                .put(FORMAT_V1).putInt(op.getOpCase().getNumber()).put(encoded).array());
        byte[] expiry = ByteBuffer.allocate(TIME_BYTES + id.length).put(timeKey(op.getNow())).put(id).array();
        tx.putBookkeeping(Family.REQUEST_EXPIRY, expiry, EMPTY);
        // A leader whose clock is behind its predecessor's files entries before older ones.
        if (Arrays.compareUnsigned(expiry, sweepFrom) < 0) {
            sweepFrom = expiry;
        }
    }

    /** Removes up to {@link #SWEEP_PER_APPLY} of the oldest committed entries older than the retention at {@code now}. */
    void sweep(ApplyBatch tx, Timespec now) {
        if (now.getSeconds() < Long.MIN_VALUE + RETENTION_SECONDS) {
            return;
        }
        byte[] cutoff = timeKey(Timespec.newBuilder().setSeconds(now.getSeconds() - RETENTION_SECONDS)
                .setNanos(now.getNanos()).build());
        if (Arrays.compareUnsigned(sweepFrom, cutoff) >= 0) {
            return;
        }
        List<byte[]> expired = new ArrayList<>(SWEEP_PER_APPLY);
        committed.store().scan(Family.REQUEST_EXPIRY, null, sweepFrom, cutoff, (key, value) -> {
            expired.add(key);
            return expired.size() < SWEEP_PER_APPLY;
        });
        for (byte[] key : expired) {
            tx.deleteBookkeeping(Family.REQUEST_EXPIRY, key);
            tx.deleteBookkeeping(Family.REQUESTS, Arrays.copyOfRange(key, TIME_BYTES, key.length));
        }
        if (!expired.isEmpty()) {
            sweepFrom = expired.getLast();
        }
    }

    /** Entries in the table (tests and diagnostics; walks the whole expiry index). */
    long size() {
        // Above every key: a key's nanos never start with 0xff (nanos < 10^9).
        byte[] end = new byte[TIME_BYTES];
        Arrays.fill(end, (byte) 0xff);
        long[] count = {0};
        committed.store().scan(Family.REQUEST_EXPIRY, null, EMPTY, end, (key, value) -> {
            count[0]++;
            return true;
        });
        return count[0];
    }

    /** Big-endian seconds with the sign bit flipped, then nanos: byte order is time order, negatives included. */
    private static byte[] timeKey(Timespec time) {
        return ByteBuffer.allocate(TIME_BYTES).putLong(time.getSeconds() ^ Long.MIN_VALUE).putInt(time.getNanos())
                .array();
    }

    private static String hex(ByteString id) {
        return HexFormat.of().formatHex(id.toByteArray());
    }
}
