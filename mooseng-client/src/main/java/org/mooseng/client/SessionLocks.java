package org.mooseng.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongSupplier;
import org.mooseng.common.Status;
import org.mooseng.common.locks.LockMode;
import org.mooseng.common.locks.LockRange;
import org.mooseng.proto.LockReply;
import org.mooseng.proto.LockRequest;
import org.mooseng.proto.MasterClientServiceGrpc.MasterClientServiceBlockingStub;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The locks of this client's session, and giving them back to a new leader. The master keeps
 * locks in the leader's memory only: a new leader (failover or restart) starts with none and a
 * grace period in which it grants reclaims. Every lock and renewal reply names the leader's
 * term; when one names a newer term than the locks were granted under, every entry of the
 * {@link LockLedger} is sent again with {@code reclaim} set, before any other lock call of this
 * client goes out: lock calls share a gate that a reclaim holds alone. Once every entry has been
 * answered under the new term (also when the ledger was empty) the session is told, to renew at
 * once with {@link #reclaimCompleteTerm()}: the leader ends its grace period early when every
 * session has said so.
 *
 * <p>A refused reclaim means the lock is lost: it leaves the ledger and a WARN names the inode
 * and owner. The process that held it cannot be told (POSIX has no lock revocation); it goes on
 * believing it holds the lock.
 */
final class SessionLocks implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SessionLocks.class);
    /** Reclaims in a row when the leader changes again while locks are being given back. */
    static final int MAX_RECLAIM_ROUNDS = 4;
    /** Calls of one owner on one file are serialized so the ledger sees them in the master's order. */
    private static final int OWNER_STRIPES = 64;

    /** The RPC a lock request goes to. */
    enum Call {
        GETLK,
        SETLK,
        FLOCK
    }

    @FunctionalInterface
    interface MasterCall {
        void run() throws MoosengException;
    }

    private final MasterConnection master;
    private final LongSupplier sessionId;
    /** Told (outside the gate) when the ledger has caught up with a newer term. */
    private final Runnable reclaimed;
    private final LockLedger ledger = new LockLedger();
    private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
    private final ReentrantLock[] ownerStripes = new ReentrantLock[OWNER_STRIPES];
    /** Runs reclaims a renewal asked for, so the renewals themselves never wait on the gate. */
    private final CoalescedTask reclaimer;
    /** The newest leader term any reply named. */
    private final AtomicLong newestTerm = new AtomicLong();
    /** The term the ledger's locks are held under on the master; changed only with the gate held alone. */
    private volatile long ledgerTerm;
    private volatile boolean closed;

    SessionLocks(MasterConnection master, LongSupplier sessionId, long leaderTerm, Runnable reclaimed) {
        this.master = master;
        this.sessionId = sessionId;
        this.reclaimed = reclaimed;
        this.ledgerTerm = leaderTerm;
        this.newestTerm.set(leaderTerm);
        for (int i = 0; i < OWNER_STRIPES; i++) {
            ownerStripes[i] = new ReentrantLock();
        }
        this.reclaimer = new CoalescedTask("mooseng-lock-reclaim-" + Long.toUnsignedString(sessionId.getAsLong()),
                this::reclaimIfBehind);
    }

    /**
     * Sends one lock request and keeps the ledger in step: a granted SETLK or FLOCK is applied
     * to it, and an unlock always is (the ledger never keeps what its owner asked to drop).
     */
    LockReply call(Call call, LockRequest request, String subject) throws MoosengException {
        reclaimIfBehind();
        LockReply reply;
        gate.readLock().lock();
        ReentrantLock stripe = stripe(request.getInode(), request.getLockOwner());
        stripe.lock();
        try {
            boolean unlock = request.getType() == org.mooseng.proto.LockType.LOCK_UNLOCK;
            try {
                reply = master.call(subject, s -> send(call, s, request));
            } catch (MoosengException | RuntimeException e) {
                if (unlock) {
                    record(call, request);
                }
                throw e;
            }
            if (reply.getStatus() == 0 || unlock) {
                record(call, request);
            }
        } finally {
            stripe.unlock();
            gate.readLock().unlock();
        }
        termSeen(reply.getLeaderTerm());
        reclaimIfBehind();
        return reply;
    }

    /** A close by {@code owner} ({@code release} tells the master): its locks on the file leave the ledger. */
    void releasing(long inode, long owner, MasterCall release) throws MoosengException {
        gate.readLock().lock();
        ReentrantLock stripe = stripe(inode, owner);
        stripe.lock();
        try {
            release.run();
        } finally {
            ledger.releaseOwner(inode, owner);
            stripe.unlock();
            gate.readLock().unlock();
        }
    }

    /** A session renewal named the leader's term: a new leader gets the locks back in the background. */
    void renewedUnder(long leaderTerm) {
        termSeen(leaderTerm);
        if (newestTerm.get() > ledgerTerm && !closed) {
            reclaimer.request();
        }
    }

    /** The session expired on the master, taking every lock with it, and was opened again under {@code leaderTerm}. */
    void sessionReopened(long leaderTerm) {
        gate.writeLock().lock();
        try {
            int lost = ledger.clear();
            if (lost > 0) {
                LOG.warn("session {}: expired on the master; {} locks held through it are lost (their processes "
                        + "are not told)", Long.toUnsignedString(sessionId.getAsLong()), lost);
            }
            termSeen(leaderTerm);
            ledgerTerm = Math.max(ledgerTerm, leaderTerm);
        } finally {
            gate.writeLock().unlock();
        }
    }

    /**
     * The leader term under which the master holds every lock of the ledger, given back and
     * answered, when no newer term has been heard of; 0 while a reclaim is due or under way.
     */
    long reclaimCompleteTerm() {
        long held = ledgerTerm;
        return held >= newestTerm.get() ? held : 0;
    }

    /** What the ledger holds (tests). */
    LockLedger ledger() {
        return ledger;
    }

    /** The term the held locks are known to be held under (tests). */
    long ledgerTerm() {
        return ledgerTerm;
    }

    @Override
    public void close() {
        closed = true;
        reclaimer.close();
    }

    private void termSeen(long term) {
        if (term > 0) {
            newestTerm.accumulateAndGet(term, Math::max);
        }
    }

    /** Gives every held lock back to the newest leader heard of, unless it already has them. */
    private void reclaimIfBehind() {
        if (newestTerm.get() <= ledgerTerm || closed) {
            return;
        }
        try {
            gate.writeLock().lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        long before = ledgerTerm;
        try {
            reclaimRounds();
        } finally {
            gate.writeLock().unlock();
        }
        if (ledgerTerm > before && reclaimCompleteTerm() != 0 && !closed) {
            reclaimed.run();
        }
    }

    /**
     * Reclaims until the ledger is held under the newest term heard of, the master cannot be
     * reached, or the leader keeps changing. Runs with the gate held alone.
     */
    private void reclaimRounds() {
        for (int round = 0; round < MAX_RECLAIM_ROUNDS && !closed; round++) {
            long target = newestTerm.get();
            if (target <= ledgerTerm) {
                return;
            }
            if (ledger.isEmpty()) {
                ledgerTerm = target;
                return;
            }
            Optional<Long> answeredIn = reclaimAll(target);
            if (answeredIn.isEmpty()) {
                return;
            }
            // A reply from an older term (a deposed leader still answering) leaves the ledger
            // behind the newest term, and the next round goes again.
            ledgerTerm = answeredIn.get();
        }
        if (newestTerm.get() > ledgerTerm && !closed) {
            LOG.warn("session {}: the leader kept changing while locks were being reclaimed; trying again at "
                    + "the next lock call or renewal", Long.toUnsignedString(sessionId.getAsLong()));
        }
    }

    /**
     * Re-sends every ledger entry with {@code reclaim} set. Returns the oldest term the replies
     * named, or empty when the master could not be reached (the ledger is then left as it is,
     * to be sent again).
     */
    private Optional<Long> reclaimAll(long target) {
        long session = sessionId.getAsLong();
        long oldestAnswer = Long.MAX_VALUE;
        int reclaimed = 0;
        for (LockLedger.Held held : ledger.snapshot()) {
            List<String> lost = new ArrayList<>();
            String why = "";
            List<Optional<LockRange>> locks = new ArrayList<>();
            held.ranges().forEach(r -> locks.add(Optional.of(r)));
            held.flock().ifPresent(m -> locks.add(Optional.empty()));
            for (Optional<LockRange> lock : locks) {
                LockRequest request = reclaimRequest(session, held, lock);
                Call call = lock.isPresent() ? Call.SETLK : Call.FLOCK;
                LockReply reply;
                try {
                    reply = master.call("inode " + held.inode(), s -> send(call, s, request));
                } catch (MoosengException | RuntimeException e) {
                    LOG.warn("session {}: could not reclaim locks from the leader of term {}, trying again at the "
                            + "next lock call or renewal: {}", Long.toUnsignedString(session), target, e.getMessage());
                    return Optional.empty();
                }
                termSeen(reply.getLeaderTerm());
                oldestAnswer = Math.min(oldestAnswer, reply.getLeaderTerm() == 0 ? target : reply.getLeaderTerm());
                if (reply.getStatus() == 0) {
                    reclaimed++;
                } else if (reply.getStatus() == Status.ESTALE.code()) {
                    int dropped = ledger.clear();
                    LOG.warn("session {}: unknown to the leader of term {} (expired): {} locks lost (their processes "
                            + "are not told)", Long.toUnsignedString(session), reply.getLeaderTerm(), dropped);
                    return Optional.of(oldestAnswer);
                } else {
                    ledger.lost(held.inode(), held.owner(), lock);
                    lost.add(lock.map(r -> "bytes " + r.first() + ".." + (r.length() == 0 ? "EOF" : r.last()))
                            .orElse("flock"));
                    why = reply.getMessage();
                }
            }
            if (!lost.isEmpty()) {
                LOG.warn("inode {} owner {}: lock lost in the failover, the leader of term {} refused the reclaim of "
                        + "{} ({}); the process holding it is not told", held.inode(),
                        Long.toUnsignedString(held.owner()), oldestAnswer, String.join(", ", lost), why);
            }
        }
        LOG.info("reclaimed {} locks on the leader of term {}", reclaimed, oldestAnswer == Long.MAX_VALUE
                ? target : oldestAnswer);
        return Optional.of(oldestAnswer == Long.MAX_VALUE ? target : oldestAnswer);
    }

    private static LockRequest reclaimRequest(long session, LockLedger.Held held, Optional<LockRange> lock) {
        LockRequest.Builder request = LockRequest.newBuilder().setSessionId(session).setInode(held.inode())
                .setLockOwner(held.owner()).setReclaim(true);
        if (lock.isPresent()) {
            LockRange r = lock.get();
            request.setType(toProto(r.mode())).setStart(r.first()).setLength(r.length()).setPid(r.pid());
        } else {
            request.setType(toProto(held.flock().orElseThrow()));
        }
        return request.build();
    }

    private void record(Call call, LockRequest request) {
        Optional<LockMode> mode = switch (request.getType()) {
            case LOCK_SHARED -> Optional.of(LockMode.SHARED);
            case LOCK_EXCLUSIVE -> Optional.of(LockMode.EXCLUSIVE);
            case LOCK_UNLOCK, UNRECOGNIZED -> Optional.empty();
        };
        switch (call) {
            case GETLK -> {
            }
            case SETLK -> ledger.setRange(request.getInode(), request.getLockOwner(), mode, request.getStart(),
                    LockRange.lastByte(request.getStart(), request.getLength()), request.getPid());
            case FLOCK -> ledger.setFlock(request.getInode(), request.getLockOwner(), mode);
        }
    }

    private static LockReply send(Call call, MasterClientServiceBlockingStub stub, LockRequest request) {
        return switch (call) {
            case GETLK -> stub.getLock(request);
            case SETLK -> stub.setLock(request);
            case FLOCK -> stub.flock(request);
        };
    }

    private static org.mooseng.proto.LockType toProto(LockMode mode) {
        return switch (mode) {
            case SHARED -> org.mooseng.proto.LockType.LOCK_SHARED;
            case EXCLUSIVE -> org.mooseng.proto.LockType.LOCK_EXCLUSIVE;
        };
    }

    private ReentrantLock stripe(long inode, long owner) {
        return ownerStripes[Math.floorMod(Long.hashCode(inode * 31 + owner), OWNER_STRIPES)];
    }
}
