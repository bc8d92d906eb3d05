package org.mooseng.master.service;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.mooseng.common.Status;
import org.mooseng.common.locks.LockMode;
import org.mooseng.common.locks.LockRange;
import org.mooseng.master.chunks.ChunkRegistry;
import org.mooseng.master.raft.MetaLog;
import org.mooseng.master.sessions.HeldOpens;
import org.mooseng.master.sessions.LockTable;
import org.mooseng.master.sessions.SessionLeases;
import org.mooseng.meta.NamespaceReader;
import org.mooseng.meta.SessionReader;
import org.mooseng.proto.AttrReply;
import org.mooseng.proto.FileOpenOp;
import org.mooseng.proto.FileReleaseOp;
import org.mooseng.proto.FileType;
import org.mooseng.proto.HeldOpen;
import org.mooseng.proto.ListSessionsReply;
import org.mooseng.proto.LockReply;
import org.mooseng.proto.LockRequest;
import org.mooseng.proto.LockType;
import org.mooseng.proto.MetaOp;
import org.mooseng.proto.MetaResult;
import org.mooseng.proto.OpenFileRequest;
import org.mooseng.proto.OpenSessionRequest;
import org.mooseng.proto.PurgeRetainedOp;
import org.mooseng.proto.ReclaimOpensRequest;
import org.mooseng.proto.ReleaseFileRequest;
import org.mooseng.proto.ReleasedOpen;
import org.mooseng.proto.RenewSessionReply;
import org.mooseng.proto.SessionExpireOp;
import org.mooseng.proto.SessionInfo;
import org.mooseng.proto.SessionOpenOp;
import org.mooseng.proto.SessionReply;
import org.mooseng.proto.SessionRequest;
import org.mooseng.proto.StatusReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sessions, open files and locks on the leader. Session and open-file changes go through the
 * log; lease renewals and locks are the leader's soft state, reset when leadership changes. A
 * new leader opens a lock grace period in which clients reclaim the locks they held (see
 * {@link LockTable}); every lock and session reply names the leader's term so that clients
 * notice the change. The period ends early once every session that existed when this master
 * took office has said, on a renewal, that it has reclaimed under this term, or has ended.
 */
public final class ClientSessions {
    private static final Logger LOG = LoggerFactory.getLogger(ClientSessions.class);
    /** Bounds one log entry of batched releases (a client sends at most 1,024 at once). */
    static final int MAX_RELEASES_PER_CALL = 4095;

    /** Bounds one PurgeRetainedOp. */
    static final int MAX_PURGES_PER_OP = 4096;
    private static final int READ = FileOpenOp.Flag.OPEN_READ_VALUE;
    private static final int WRITE = FileOpenOp.Flag.OPEN_WRITE_VALUE;
    private static final int LEADER_HELD = FileOpenOp.Flag.OPEN_LEADER_HELD_VALUE;

    private final MetaLog log;
    private final SessionReader sessions;
    private final NamespaceReader namespace;
    private final ChunkRegistry registry;
    private final Clock clock;
    private final LongSupplier nowMs;
    private final long leaseMs;
    private final long lockGraceMs;
    private final LockTable locks = new LockTable();
    private final SessionLeases leases = new SessionLeases();
    private final HeldOpens heldOpens = new HeldOpens();
    /** A PurgeRetainedOp is proposed and not yet applied: the next is chosen after it. */
    private final AtomicBoolean purging = new AtomicBoolean();
    /** Held opens were dropped (or the last purge may have left some): look at the retained files again. */
    private final AtomicBoolean rescan = new AtomicBoolean(true);
    /** The store's purge generation at the last look at the retained files. */
    private volatile long scannedGeneration = -1;

    public ClientSessions(MetaLog log, SessionReader sessions, NamespaceReader namespace, ChunkRegistry registry,
                          Clock clock, long leaseMs, long lockGraceMs) {
        this.log = log;
        this.sessions = sessions;
        this.namespace = namespace;
        this.registry = registry;
        this.clock = clock;
        this.nowMs = clock::millis;
        this.leaseMs = leaseMs;
        this.lockGraceMs = lockGraceMs;
        if (lockGraceMs > 0 && lockGraceMs < leaseMs / 3) {
            LOG.warn("LOCK_RECLAIM_GRACE_MS ({} ms) is shorter than the clients' session renewal interval ({} ms, a "
                    + "third of SESSION_LEASE_MS): after a failover, locks of clients that make no lock call may be "
                    + "taken by others before their holders reclaim them", lockGraceMs, leaseMs / 3);
        }
    }

    /**
     * This master became the leader of {@code term}, or (0) stopped leading: leases restart and
     * every lock goes; a new leader takes reclaims during its grace period. Runs once the store
     * holds every entry of earlier terms, so the sessions read here are all that may hold locks.
     */
    public void onLeadershipChange(long term) {
        leases.reset();
        heldOpens.clear();
        rescan.set(true);
        if (term == 0) {
            locks.endTerm();
            return;
        }
        long now = nowMs.getAsLong();
        Optional<List<Long>> awaited = sessionIds();
        if (awaited.isPresent()) {
            // Without a session nobody can hold a lock to reclaim: a new cluster serves locks at once.
            locks.startTerm(term, now + lockGraceMs, awaited.get());
        } else {
            locks.startTerm(term, now + lockGraceMs);
        }
        if (locks.inGrace(now)) {
            LOG.info("leader of term {}: lock grace period, only reclaims of held locks are granted for {} ms{}", term,
                    lockGraceMs, awaited.map(ids -> ", or until " + (ids.size() == 1 ? "the one session has"
                            : "all " + ids.size() + " sessions have") + " reclaimed or ended").orElse(""));
        }
    }

    private Optional<List<Long>> sessionIds() {
        try {
            return Optional.of(sessions.sessions().stream().map(SessionInfo::getSessionId).toList());
        } catch (RuntimeException e) {
            // A store closing under the look: the full grace period is the safe side.
            LOG.debug("sessions unreadable at leadership change", e);
            return Optional.empty();
        }
    }

    /** Proposes the expiry of every session not renewed within its lease; no-op on a follower. */
    public void expireOverdue() {
        if (!log.isLeader()) {
            return;
        }
        for (long id : leases.expired(sessions.sessions(), nowMs.getAsLong())) {
            LOG.info("session {} expired: no renewal within its lease", Long.toUnsignedString(id));
            end(id, false);
        }
    }

    LockTable locks() {
        return locks;
    }

    /**
     * Proposes the deletion of files without a name that no session has open, in the log or
     * in this leader's memory; no-op on a follower, while a purge is being applied, and during
     * the lock grace period (clients are still giving their opens back).
     */
    public void purgeRetained() {
        if (!log.isLeader() || locks.term() == 0 || locks.inGrace(nowMs.getAsLong())
                || !purging.compareAndSet(false, true)) {
            return;
        }
        long generation = sessions.purgeGeneration();
        boolean dirty = rescan.getAndSet(false);
        if (generation == scannedGeneration && !dirty) {
            purging.set(false); // nothing retained or released since the last look
            return;
        }
        scannedGeneration = generation;
        PurgeRetainedOp.Builder purge = PurgeRetainedOp.newBuilder();
        synchronized (heldOpens) {
            // Under the table's lock: an open that saw the file named is already counted here.
            for (long inode : sessions.retainedInodes()) {
                if (!heldOpens.isHeld(inode) && !sessions.isOpen(inode)) {
                    purge.addInodes(inode);
                    if (purge.getInodesCount() == MAX_PURGES_PER_OP) {
                        break;
                    }
                }
            }
        }
        if (purge.getInodesCount() == 0) {
            purging.set(false);
            return;
        }
        log.propose(MetaOps.stamped(MetaOp.newBuilder().setPurgeRetained(purge), clock)).whenComplete((r, error) -> {
            if (purge.getInodesCount() == MAX_PURGES_PER_OP) {
                rescan.set(true); // a full op may have left some for the next round
            }
            purging.set(false);
            if (error != null) {
                LOG.debug("purge of {} unnamed files not applied", purge.getInodesCount(), error);
            } else if (r.getStatus() == 0) {
                registry.release(r.getReleasedChunksList());
            }
        });
    }

    CompletableFuture<SessionReply> open(OpenSessionRequest req) {
        MetaOp op = MetaOps.stamped(MetaOp.newBuilder().setRequestId(req.getRequestId()).setSessionOpen(SessionOpenOp.newBuilder()
                .setSessionId(req.getSessionId()).setHost(req.getHost()).setMountPoint(req.getMountPoint())
                .setLeaseMs(Math.toIntExact(leaseMs))), clock);
        return log.propose(op).thenApply(result -> {
            if (result.getStatus() == 0) {
                leases.renew(result.getSession().getSessionId(), nowMs.getAsLong());
                LOG.info("session {} opened by {} for {}", Long.toUnsignedString(result.getSession().getSessionId()),
                        req.getHost(), req.getMountPoint());
            }
            return SessionReply.newBuilder().setStatus(result.getStatus()).setSession(result.getSession())
                    .setMessage(result.getMessage()).setLeaderTerm(locks.term()).build();
        });
    }

    RenewSessionReply renew(SessionRequest req) {
        if (sessions.session(req.getSessionId()).isEmpty()) {
            StatusReply unknown = unknownSession(req.getSessionId());
            return RenewSessionReply.newBuilder().setStatus(unknown.getStatus()).setMessage(unknown.getMessage())
                    .setLeaderTerm(locks.term()).build();
        }
        long now = nowMs.getAsLong();
        leases.renew(req.getSessionId(), now);
        if (req.getReclaimCompleteTerm() != 0) {
            locks.reclaimComplete(req.getSessionId(), req.getReclaimCompleteTerm(), now).ifPresent(end ->
                    logEarlyGraceEnd(end, req.getSessionId(), "has reclaimed its locks"));
        }
        return RenewSessionReply.newBuilder().setStatus(0).setLeaderTerm(locks.term()).build();
    }

    private static void logEarlyGraceEnd(LockTable.EarlyGraceEnd end, long lastSessionId, String lastDid) {
        LOG.info("leader of term {}: lock grace period ended {} ms early, new locks are granted: every session that "
                + "may hold locks of an earlier leader has reclaimed them ({}) or ended ({}); the last, session {}, {}",
                end.term(), end.shortenedByMs(), end.reclaimed(), end.ended(), Long.toUnsignedString(lastSessionId),
                lastDid);
    }

    CompletableFuture<StatusReply> close(SessionRequest req) {
        return end(req.getSessionId(), true).thenApply(r -> StatusReply.newBuilder().setStatus(r.getStatus())
                .setMessage(r.getMessage()).build());
    }

    /** Every session; its open files count the opens this leader holds as well as the logged ones. */
    ListSessionsReply list() {
        ListSessionsReply.Builder reply = ListSessionsReply.newBuilder();
        for (SessionInfo session : sessions.sessions()) {
            long id = session.getSessionId();
            long heldOnly = heldOpens.inodes(id).stream().filter(inode -> sessions.openFlags(id, inode) == 0).count();
            reply.addSessions(session.toBuilder().setOpenFiles(session.getOpenFiles() + Math.toIntExact(heldOnly)));
        }
        return reply.build();
    }

    /**
     * A read-only open of a file that has a name is held in this leader's memory: no log entry,
     * the reply after a read of the applied state. Everything else (writing, a file without a
     * name, anything refused) is registered through the log, which also gives the errors.
     */
    CompletableFuture<AttrReply> openFile(OpenFileRequest req) {
        if ((req.getFlags() & ~(READ | WRITE)) != 0) {
            return CompletableFuture.completedFuture(AttrReply.newBuilder().setStatus(Status.EINVAL.code())
                    .setMessage("open flags " + req.getFlags() + ": only OPEN_READ and OPEN_WRITE").build());
        }
        if (req.getFlags() != READ) {
            return logOpen(req);
        }
        // The barrier makes the read current (a leader that lost its office without knowing
        // it is not asked); a follower answers NOT_LEADER through the log path.
        return log.readBarrier().thenCompose(confirmed -> {
            if (!Boolean.TRUE.equals(confirmed)) {
                return logOpen(req);
            }
            return holdOpen(req).map(CompletableFuture::completedFuture).orElseGet(() -> logOpen(req));
        });
    }

    private Optional<AttrReply> holdOpen(OpenFileRequest req) {
        synchronized (heldOpens) {
            long term = locks.term();
            if (term == 0 || sessions.session(req.getSessionId()).isEmpty()) {
                return Optional.empty();
            }
            AttrReply attr = namespace.openableAttr(req.getCred(), req.getInode(), READ);
            if (attr.getStatus() != 0 || attr.getAttr().getType() != FileType.REGULAR || attr.getAttr().getNlink() == 0) {
                return Optional.empty();
            }
            heldOpens.add(req.getSessionId(), req.getInode());
            return Optional.of(attr.toBuilder().setLeaderHeld(true).setLeaderTerm(term).build());
        }
    }

    private CompletableFuture<AttrReply> logOpen(OpenFileRequest req) {
        MetaOp op = MetaOps.stamped(MetaOp.newBuilder().setCred(req.getCred()).setRequestId(req.getRequestId())
                .setFileOpen(FileOpenOp.newBuilder()
                .setSessionId(req.getSessionId()).setInode(req.getInode()).setFlags(req.getFlags())), clock);
        return log.propose(op).thenApply(r -> AttrReply.newBuilder().setStatus(r.getStatus()).setAttr(r.getAttr())
                .setMessage(r.getMessage()).build());
    }

    CompletableFuture<StatusReply> releaseFile(ReleaseFileRequest req) {
        if (req.getMoreCount() > MAX_RELEASES_PER_CALL) {
            return CompletableFuture.completedFuture(StatusReply.newBuilder().setStatus(Status.EINVAL.code())
                    .setMessage("release of " + (req.getMoreCount() + 1) + " opens in one call: at most "
                            + (MAX_RELEASES_PER_CALL + 1)).build());
        }
        if (req.getLockOwner() != 0) {
            locks.releaseOwner(req.getInode(), new LockTable.Owner(req.getSessionId(), req.getLockOwner()));
        }
        // Opens held here are dropped here; the others go through the log.
        List<ReleasedOpen> logged = new ArrayList<>();
        for (ReleasedOpen open : allReleased(req)) {
            if ((open.getFlags() & LEADER_HELD) != 0) {
                heldOpens.release(req.getSessionId(), open.getInode());
                rescan.set(true);
            } else {
                logged.add(open);
            }
        }
        if (logged.isEmpty()) {
            return CompletableFuture.completedFuture(sessions.session(req.getSessionId()).isPresent()
                    ? StatusReply.newBuilder().setStatus(0).build() : unknownSession(req.getSessionId()));
        }
        MetaOp op = MetaOps.stamped(MetaOp.newBuilder().setRequestId(req.getRequestId()).setFileRelease(FileReleaseOp.newBuilder()
                .setSessionId(req.getSessionId()).setInode(logged.get(0).getInode()).setFlags(logged.get(0).getFlags())
                .addAllMore(logged.subList(1, logged.size()))), clock);
        return log.propose(op).thenApply(r -> {
            registry.release(r.getReleasedChunksList());
            return StatusReply.newBuilder().setStatus(r.getStatus()).setMessage(r.getMessage()).build();
        });
    }

    private static List<ReleasedOpen> allReleased(ReleaseFileRequest req) {
        List<ReleasedOpen> all = new ArrayList<>(req.getMoreCount() + 1);
        all.add(ReleasedOpen.newBuilder().setInode(req.getInode()).setFlags(req.getFlags()).build());
        all.addAll(req.getMoreList());
        return all;
    }

    /**
     * A client gives its read-only opens back to this leader (after a failover): the session's
     * opens held here become exactly those listed.
     */
    RenewSessionReply reclaimOpens(ReclaimOpensRequest req) {
        long term = locks.term();
        if (term == 0) {
            return RenewSessionReply.newBuilder().setStatus(Status.NOT_LEADER.code()).build();
        }
        Map<Long, Integer> counts = new HashMap<>();
        for (HeldOpen open : req.getOpensList()) {
            counts.merge(open.getInode(), open.getCount(), Integer::sum);
        }
        synchronized (heldOpens) {
            if (sessions.session(req.getSessionId()).isEmpty()) {
                StatusReply unknown = unknownSession(req.getSessionId());
                return RenewSessionReply.newBuilder().setStatus(unknown.getStatus()).setMessage(unknown.getMessage())
                        .setLeaderTerm(term).build();
            }
            heldOpens.replace(req.getSessionId(), counts);
        }
        rescan.set(true);
        return RenewSessionReply.newBuilder().setStatus(0).setLeaderTerm(term).build();
    }

    /**
     * F_GETLK, answered from the table as it is. During the grace period a lock whose holder has
     * not reclaimed it yet is not reported.
     */
    LockReply getLock(LockRequest req) {
        Optional<LockReply> invalid = validate(req);
        if (invalid.isPresent()) {
            return invalid.get();
        }
        Optional<LockMode> mode = mode(req.getType());
        if (mode.isEmpty()) {
            return LockReply.newBuilder().setStatus(Status.EINVAL.code()).setMessage("F_GETLK needs a lock type")
                    .setLeaderTerm(locks.term()).build();
        }
        long term = locks.term();
        if (term == 0) {
            return notLeading();
        }
        long last = LockRange.lastByte(req.getStart(), req.getLength());
        return locks.conflict(req.getInode(), owner(req), mode.get(), req.getStart(), last)
                .map(held -> LockReply.newBuilder().setType(held.mode() == LockMode.SHARED
                                ? LockType.LOCK_SHARED : LockType.LOCK_EXCLUSIVE)
                        .setStart(held.first()).setLength(held.length()).setPid(held.pid())
                        .setSessionId(held.owner().sessionId()).setLockOwner(held.owner().lockOwner())
                        .setLeaderTerm(term).build())
                .orElseGet(() -> LockReply.newBuilder().setType(LockType.LOCK_UNLOCK).setLeaderTerm(term).build());
    }

    LockReply setLock(LockRequest req) {
        Optional<LockReply> invalid = validate(req);
        if (invalid.isPresent()) {
            return invalid.get();
        }
        long last = LockRange.lastByte(req.getStart(), req.getLength());
        return reply(req, locks.setRange(req.getInode(), owner(req), mode(req.getType()), req.getStart(), last,
                req.getPid(), req.getReclaim(), nowMs.getAsLong()));
    }

    LockReply flock(LockRequest req) {
        Optional<LockReply> invalid = validate(req);
        if (invalid.isPresent()) {
            return invalid.get();
        }
        return reply(req, locks.flock(req.getInode(), owner(req), mode(req.getType()), req.getReclaim(),
                nowMs.getAsLong()));
    }

    private LockReply reply(LockRequest req, LockTable.Outcome outcome) {
        return switch (outcome) {
            case LockTable.Granted granted -> LockReply.newBuilder().setType(req.getType())
                    .setLeaderTerm(granted.term()).build();
            case LockTable.Conflict conflict -> {
                if (req.getReclaim() && locks.inGrace(nowMs.getAsLong())) {
                    // Two owners held conflicting locks under the previous leader: one of them is lost.
                    LOG.warn("inode {}: reclaim by {} refused, it conflicts with the lock of {}", req.getInode(),
                            owner(req), conflict.holder());
                }
                yield LockReply.newBuilder().setStatus(Status.EAGAIN.code()).setLeaderTerm(conflict.term())
                        .setMessage("inode " + req.getInode() + ": locked by another owner").build();
            }
            case LockTable.InGrace grace -> LockReply.newBuilder().setStatus(Status.EAGAIN.code())
                    .setLeaderTerm(grace.term()).setMessage("inode " + req.getInode() + ": the new leader is in its "
                            + "lock grace period for " + grace.remainingMs() + " ms more, while holders reclaim "
                            + "their locks").build();
            case LockTable.NotLeading notLeading -> notLeading();
        };
    }

    private CompletableFuture<MetaResult> end(long sessionId, boolean closedByClient) {
        MetaOp op = MetaOps.stamped(MetaOp.newBuilder().setSessionExpire(SessionExpireOp.newBuilder()
                .setSessionId(sessionId).setClosedByClient(closedByClient)), clock);
        return log.propose(op).thenApply(r -> {
            if (r.getStatus() == 0 || r.getStatus() == Status.ESTALE.code()) {
                int dropped = locks.releaseSession(sessionId);
                heldOpens.dropSession(sessionId);
                rescan.set(true);
                locks.sessionEnded(sessionId, nowMs.getAsLong()).ifPresent(grace -> logEarlyGraceEnd(grace, sessionId,
                        closedByClient ? "was closed" : "expired"));
                leases.forget(sessionId);
                registry.release(r.getReleasedChunksList());
                LOG.debug("session {} ended ({}), {} locks dropped", Long.toUnsignedString(sessionId),
                        closedByClient ? "closed" : "expired", dropped);
            }
            return r;
        });
    }

    private Optional<LockReply> validate(LockRequest req) {
        if (sessions.session(req.getSessionId()).isEmpty()) {
            StatusReply unknown = unknownSession(req.getSessionId());
            return Optional.of(LockReply.newBuilder().setStatus(unknown.getStatus()).setMessage(unknown.getMessage())
                    .setLeaderTerm(locks.term()).build());
        }
        if (req.getStart() < 0 || req.getLength() < 0 || req.getType() == LockType.UNRECOGNIZED) {
            return Optional.of(LockReply.newBuilder().setStatus(Status.EINVAL.code()).setLeaderTerm(locks.term())
                    .setMessage("inode " + req.getInode() + ": bad lock range or type").build());
        }
        return Optional.empty();
    }

    /** Leading but not told its term yet (or no longer leading): the client asks again. */
    private static LockReply notLeading() {
        return LockReply.newBuilder().setStatus(Status.NOT_LEADER.code()).build();
    }

    private static LockTable.Owner owner(LockRequest req) {
        return new LockTable.Owner(req.getSessionId(), req.getLockOwner());
    }

    private static Optional<LockMode> mode(LockType type) {
        return switch (type) {
            case LOCK_SHARED -> Optional.of(LockMode.SHARED);
            case LOCK_EXCLUSIVE -> Optional.of(LockMode.EXCLUSIVE);
            case LOCK_UNLOCK, UNRECOGNIZED -> Optional.empty();
        };
    }

    private static StatusReply unknownSession(long sessionId) {
        return StatusReply.newBuilder().setStatus(Status.ESTALE.code()).setMessage("session "
                + Long.toUnsignedString(sessionId) + " does not exist (closed or expired)").build();
    }
}
