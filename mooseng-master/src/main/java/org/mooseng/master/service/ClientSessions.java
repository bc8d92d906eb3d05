package org.mooseng.master.service;

import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.mooseng.common.Status;
import org.mooseng.master.chunks.ChunkRegistry;
import org.mooseng.master.raft.MetaLog;
import org.mooseng.master.sessions.LockTable;
import org.mooseng.master.sessions.SessionLeases;
import org.mooseng.meta.SessionReader;
import org.mooseng.proto.AttrReply;
import org.mooseng.proto.FileOpenOp;
import org.mooseng.proto.FileReleaseOp;
import org.mooseng.proto.ListSessionsReply;
import org.mooseng.proto.LockReply;
import org.mooseng.proto.LockRequest;
import org.mooseng.proto.LockType;
import org.mooseng.proto.MetaOp;
import org.mooseng.proto.MetaResult;
import org.mooseng.proto.OpenFileRequest;
import org.mooseng.proto.OpenSessionRequest;
import org.mooseng.proto.ReleaseFileRequest;
import org.mooseng.proto.SessionExpireOp;
import org.mooseng.proto.SessionOpenOp;
import org.mooseng.proto.SessionReply;
import org.mooseng.proto.SessionRequest;
import org.mooseng.proto.StatusReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sessions, open files and locks on the leader. Session and open-file changes go through the
 * log; lease renewals and locks are the leader's soft state, reset when leadership changes.
 */
public final class ClientSessions {
    private static final Logger LOG = LoggerFactory.getLogger(ClientSessions.class);

    private final MetaLog log;
    private final SessionReader sessions;
    private final ChunkRegistry registry;
    private final Clock clock;
    private final LongSupplier nowMs;
    private final long leaseMs;
    private final LockTable locks = new LockTable();
    private final SessionLeases leases = new SessionLeases();

    public ClientSessions(MetaLog log, SessionReader sessions, ChunkRegistry registry, Clock clock, long leaseMs) {
        this.log = log;
        this.sessions = sessions;
        this.registry = registry;
        this.clock = clock;
        this.nowMs = clock::millis;
        this.leaseMs = leaseMs;
    }

    /** Called when this master gains or loses leadership: leases restart, locks are dropped. */
    public void onLeadershipChange() {
        leases.reset();
        locks.clear();
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
                    .setMessage(result.getMessage()).build();
        });
    }

    StatusReply renew(SessionRequest req) {
        if (sessions.session(req.getSessionId()).isEmpty()) {
            return unknownSession(req.getSessionId());
        }
        leases.renew(req.getSessionId(), nowMs.getAsLong());
        return StatusReply.newBuilder().setStatus(0).build();
    }

    CompletableFuture<StatusReply> close(SessionRequest req) {
        return end(req.getSessionId(), true).thenApply(r -> StatusReply.newBuilder().setStatus(r.getStatus())
                .setMessage(r.getMessage()).build());
    }

    ListSessionsReply list() {
        return ListSessionsReply.newBuilder().addAllSessions(sessions.sessions()).build();
    }

    CompletableFuture<AttrReply> openFile(OpenFileRequest req) {
        MetaOp op = MetaOps.stamped(MetaOp.newBuilder().setCred(req.getCred()).setRequestId(req.getRequestId())
                .setFileOpen(FileOpenOp.newBuilder()
                .setSessionId(req.getSessionId()).setInode(req.getInode()).setFlags(req.getFlags())), clock);
        return log.propose(op).thenApply(r -> AttrReply.newBuilder().setStatus(r.getStatus()).setAttr(r.getAttr())
                .setMessage(r.getMessage()).build());
    }

    CompletableFuture<StatusReply> releaseFile(ReleaseFileRequest req) {
        if (req.getLockOwner() != 0) {
            locks.releaseOwner(req.getInode(), new LockTable.Owner(req.getSessionId(), req.getLockOwner()));
        }
        MetaOp op = MetaOps.stamped(MetaOp.newBuilder().setRequestId(req.getRequestId()).setFileRelease(FileReleaseOp.newBuilder()
                .setSessionId(req.getSessionId()).setInode(req.getInode()).setFlags(req.getFlags())), clock);
        return log.propose(op).thenApply(r -> {
            registry.release(r.getReleasedChunksList());
            return StatusReply.newBuilder().setStatus(r.getStatus()).setMessage(r.getMessage()).build();
        });
    }

    LockReply getLock(LockRequest req) {
        Optional<LockReply> invalid = validate(req);
        if (invalid.isPresent()) {
            return invalid.get();
        }
        Optional<LockTable.Mode> mode = mode(req.getType());
        if (mode.isEmpty()) {
            return LockReply.newBuilder().setStatus(Status.EINVAL.code()).setMessage("F_GETLK needs a lock type")
                    .build();
        }
        long last = LockTable.lastByte(req.getStart(), req.getLength());
        return locks.conflict(req.getInode(), owner(req), mode.get(), req.getStart(), last)
                .map(held -> LockReply.newBuilder().setType(held.mode() == LockTable.Mode.SHARED
                                ? LockType.LOCK_SHARED : LockType.LOCK_EXCLUSIVE)
                        .setStart(held.first()).setLength(held.length()).setPid(held.pid())
                        .setSessionId(held.owner().sessionId()).setLockOwner(held.owner().lockOwner()).build())
                .orElseGet(() -> LockReply.newBuilder().setType(LockType.LOCK_UNLOCK).build());
    }

    LockReply setLock(LockRequest req) {
        Optional<LockReply> invalid = validate(req);
        if (invalid.isPresent()) {
            return invalid.get();
        }
        long last = LockTable.lastByte(req.getStart(), req.getLength());
        boolean granted = locks.setRange(req.getInode(), owner(req), mode(req.getType()), req.getStart(), last,
                req.getPid());
        return granted ? LockReply.newBuilder().setType(req.getType()).build() : conflict(req);
    }

    LockReply flock(LockRequest req) {
        Optional<LockReply> invalid = validate(req);
        if (invalid.isPresent()) {
            return invalid.get();
        }
        boolean granted = locks.flock(req.getInode(), owner(req), mode(req.getType()));
        return granted ? LockReply.newBuilder().setType(req.getType()).build() : conflict(req);
    }

    private CompletableFuture<MetaResult> end(long sessionId, boolean closedByClient) {
        MetaOp op = MetaOps.stamped(MetaOp.newBuilder().setSessionExpire(SessionExpireOp.newBuilder()
                .setSessionId(sessionId).setClosedByClient(closedByClient)), clock);
        return log.propose(op).thenApply(r -> {
            if (r.getStatus() == 0 || r.getStatus() == Status.ESTALE.code()) {
                int dropped = locks.releaseSession(sessionId);
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
                    .build());
        }
        if (req.getStart() < 0 || req.getLength() < 0 || req.getType() == LockType.UNRECOGNIZED) {
            return Optional.of(LockReply.newBuilder().setStatus(Status.EINVAL.code())
                    .setMessage("inode " + req.getInode() + ": bad lock range or type").build());
        }
        return Optional.empty();
    }

    private static LockReply conflict(LockRequest req) {
        return LockReply.newBuilder().setStatus(Status.EAGAIN.code())
                .setMessage("inode " + req.getInode() + ": locked by another owner").build();
    }

    private static LockTable.Owner owner(LockRequest req) {
        return new LockTable.Owner(req.getSessionId(), req.getLockOwner());
    }

    private static Optional<LockTable.Mode> mode(LockType type) {
        return switch (type) {
            case LOCK_SHARED -> Optional.of(LockTable.Mode.SHARED);
            case LOCK_EXCLUSIVE -> Optional.of(LockTable.Mode.EXCLUSIVE);
            case LOCK_UNLOCK, UNRECOGNIZED -> Optional.empty();
        };
    }

    private static StatusReply unknownSession(long sessionId) {
        return StatusReply.newBuilder().setStatus(Status.ESTALE.code()).setMessage("session "
                + Long.toUnsignedString(sessionId) + " does not exist (closed or expired)").build();
    }
}
