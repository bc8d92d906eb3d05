package org.mooseng.client;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongSupplier;
import org.mooseng.common.Status;
import org.mooseng.proto.AttrReply;
import org.mooseng.proto.FileOpenOp;
import org.mooseng.proto.HeldOpen;
import org.mooseng.proto.ReclaimOpensRequest;
import org.mooseng.proto.ReleaseFileRequest;
import org.mooseng.proto.RenewSessionReply;
import org.mooseng.proto.StatusReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read-only opens of this client's session that the leader holds in its memory instead of
 * in the log (AttrReply.leader_held), and giving them back to a new leader. A file that lost
 * its last name stays while such an open of it exists; a new leader knows none of them, so it
 * deletes nothing of that kind during its lock grace period, and the client sends it the whole
 * ledger (ReclaimOpens) as soon as it hears of the new term, before its renewals say that the
 * session has reclaimed under that term (which may end the grace period early).
 *
 * <p>Opens and releases share a gate that a reclaim holds alone, so the ledger a reclaim sends
 * is what the leader will have once it is applied. Which open a release counts off does not
 * matter: a read-only release is a held one while the ledger has a held open of the inode,
 * and either way the leader's count plus the log's stays the number of handles open.
 */
final class SessionOpens implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SessionOpens.class);
    /** Reclaims in a row when the leader changes again while opens are being given back. */
    static final int MAX_RECLAIM_ROUNDS = 4;
    private static final int READ = FileOpenOp.Flag.OPEN_READ_VALUE;
    private static final int LEADER_HELD = FileOpenOp.Flag.OPEN_LEADER_HELD_VALUE;

    @FunctionalInterface
    interface OpenCall {
        AttrReply run() throws MoosengException;
    }

    private final MasterConnection master;
    private final LongSupplier sessionId;
    /** Told (outside the gate) when the ledger has been given back under a newer term. */
    private final Runnable reclaimed;
    private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
    /** Guarded by itself: handles open per inode, as the leader counts them. */
    private final Map<Long, Integer> held = new HashMap<>();
    private final CoalescedTask reclaimer;
    private final AtomicLong newestTerm = new AtomicLong();
    /** The term whose leader holds the whole ledger; 0 when it must be given again. */
    private volatile long heldTerm;
    private volatile boolean closed;

    SessionOpens(MasterConnection master, LongSupplier sessionId, long leaderTerm, Runnable reclaimed) {
        this.master = master;
        this.sessionId = sessionId;
        this.reclaimed = reclaimed;
        this.heldTerm = leaderTerm;
        this.newestTerm.set(leaderTerm);
        this.reclaimer = new CoalescedTask("mooseng-open-reclaim-" + Long.toUnsignedString(sessionId.getAsLong()),
                this::reclaimIfBehind);
    }

    /** Sends an open of {@code inode}; one the leader holds joins the ledger. */
    AttrReply open(long inode, OpenCall call) throws MoosengException {
        AttrReply reply;
        gate.readLock().lock();
        try {
            reply = call.run();
            if (reply.getStatus() == 0 && reply.getLeaderHeld()) {
                synchronized (held) {
                    held.merge(inode, 1, Integer::sum);
                }
            }
        } finally {
            gate.readLock().unlock();
        }
        if (reply.getStatus() == 0 && reply.getLeaderHeld() && reply.getLeaderTerm() != heldTerm) {
            // Held by another leader than the ledger's: a newer one (the others are owed the
            // ledger) or a deposed one still answering (the real leader is owed this open).
            termSeen(reply.getLeaderTerm());
            heldTerm = 0;
            reclaimSoon();
        }
        return reply;
    }

    /**
     * Releases one read-only open of {@code inode} if the ledger has one (returns false
     * otherwise: the open is in the log). {@code lockOwner}'s locks on the file go with it.
     */
    boolean releaseIfHeld(long inode, long lockOwner) throws MoosengException {
        gate.readLock().lock();
        try {
            synchronized (held) {
                Integer count = held.get(inode);
                if (count == null) {
                    return false;
                }
                if (count > 1) {
                    held.put(inode, count - 1);
                } else {
                    held.remove(inode);
                }
            }
            // No log entry on the master: sent at once, on the thread closing the handle.
            ReleaseFileRequest request = ReleaseFileRequest.newBuilder().setSessionId(sessionId.getAsLong())
                    .setInode(inode).setFlags(READ | LEADER_HELD).setLockOwner(lockOwner)
                    .setRequestId(MasterNamespace.newRequestId()).build();
            String subject = "inode " + inode;
            StatusReply reply = master.call(subject, s -> s.releaseFile(request));
            if (reply.getStatus() == Status.NOT_LEADER.code()) {
                heldTerm = 0; // the next leader gets the ledger, without this open
                reclaimSoon();
            } else if (reply.getStatus() == Status.ESTALE.code()) {
                // The session expired: the leader dropped its opens already, this one with them.
                LOG.debug("{}: release after the session expired: {}", subject, reply.getMessage());
            } else {
                MoosengException.check(reply.getStatus(), subject, reply.getMessage());
            }
            return true;
        } finally {
            gate.readLock().unlock();
        }
    }

    /** A renewal named the leader's term: a new leader gets the ledger back in the background. */
    void renewedUnder(long leaderTerm) {
        termSeen(leaderTerm);
        if (newestTerm.get() > heldTerm) {
            reclaimSoon();
        }
    }

    /** The session expired on the master and was opened again: its opens are given to the leader again. */
    void sessionReopened(long leaderTerm) {
        termSeen(leaderTerm);
        heldTerm = 0;
        reclaimSoon();
    }

    /** The term under which the leader holds the whole ledger when no newer one was heard of; 0 otherwise. */
    long reclaimCompleteTerm() {
        long term = heldTerm;
        return term >= newestTerm.get() ? term : 0;
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

    private void reclaimSoon() {
        if (!closed) {
            reclaimer.request();
        }
    }

    private void reclaimIfBehind() {
        if (closed || reclaimCompleteTerm() != 0) {
            return;
        }
        gate.writeLock().lock();
        try {
            for (int round = 0; round < MAX_RECLAIM_ROUNDS && !closed && reclaimCompleteTerm() == 0; round++) {
                if (!giveBack()) {
                    return; // the master cannot be reached: the next renewal tries again
                }
            }
        } finally {
            gate.writeLock().unlock();
        }
        if (reclaimCompleteTerm() != 0) {
            reclaimed.run();
        } else if (!closed) {
            LOG.warn("session {}: the leader kept changing while its open files were given back; trying again at "
                    + "the next renewal", Long.toUnsignedString(sessionId.getAsLong()));
        }
    }

    /** Sends the whole ledger; false when the master could not be reached. Runs with the gate held alone. */
    private boolean giveBack() {
        ReclaimOpensRequest.Builder request = ReclaimOpensRequest.newBuilder().setSessionId(sessionId.getAsLong());
        synchronized (held) {
            held.forEach((inode, count) -> request.addOpens(HeldOpen.newBuilder().setInode(inode).setCount(count)));
        }
        String subject = "session " + Long.toUnsignedString(sessionId.getAsLong());
        RenewSessionReply reply;
        try {
            reply = master.call(subject, s -> s.reclaimOpens(request.build()));
        } catch (MoosengException | RuntimeException e) {
            LOG.warn("{}: could not give its {} open files back to the leader: {}", subject, request.getOpensCount(),
                    e.getMessage());
            return false;
        }
        if (reply.getStatus() == Status.ESTALE.code()) {
            // Expired: the renewal registers the session again and asks for another reclaim.
            LOG.warn("{}: unknown to the leader of term {} (expired); its open files are given back once it is "
                    + "registered again", subject, reply.getLeaderTerm());
            return false;
        }
        if (reply.getStatus() != 0) {
            LOG.warn("{}: giving {} open files back refused: {}", subject, request.getOpensCount(), reply.getMessage());
            return false;
        }
        termSeen(reply.getLeaderTerm());
        heldTerm = reply.getLeaderTerm();
        LOG.info("{}: gave {} open files back to the leader of term {}", subject, request.getOpensCount(),
                reply.getLeaderTerm());
        return true;
    }
}
