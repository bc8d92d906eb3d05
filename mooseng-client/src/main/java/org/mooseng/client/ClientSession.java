package org.mooseng.client;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.mooseng.common.Status;
import org.mooseng.proto.OpenSessionRequest;
import org.mooseng.proto.RenewSessionReply;
import org.mooseng.proto.SessionInfo;
import org.mooseng.proto.SessionReply;
import org.mooseng.proto.SessionRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This client's session with the master: opened at connect, renewed in the background at a
 * third of the lease (so two renewals may fail before the lease runs out), closed at close.
 * A renewal also tells the session's {@link SessionLocks} and {@link SessionOpens} the
 * leader's term, which is how a client that makes no lock call gives its locks and its
 * leader-held read-only opens back to a new leader within the leader's grace period (master
 * LOCK_RECLAIM_GRACE_MS, longer than this renewal interval).
 *
 * <p>Two things renew at once, on the renewal thread: a reply from another master than the one
 * before (a failover: the renewal learns the new leader's term, so locks and opens are given
 * back without waiting for the next interval), and locks or opens having been given back under
 * a new term (the renewal says so once both have, and the leader may end its grace period
 * early). At most one early renewal waits at a time.
 */
final class ClientSession implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClientSession.class);
    private static final long MIN_RENEW_INTERVAL_MS = 50;

    private final MasterConnection master;
    private final SessionOptions options;
    private final ScheduledExecutorService renewer;
    private final SessionLocks locks;
    private final SessionOpens opens;
    private final ReleaseBatcher releases;
    private final CoalescedTask earlyRenewal;
    private volatile SessionInfo info;
    private volatile boolean closed;

    private ClientSession(MasterConnection master, SessionOptions options, SessionReply opened) {
        this.master = master;
        this.options = options;
        this.info = opened.getSession();
        this.renewer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon()
                .name("mooseng-session-" + info.getSessionId()).factory());
        this.earlyRenewal = new CoalescedTask(renewer, this::renew);
        this.locks = new SessionLocks(master, this::id, opened.getLeaderTerm(), this::renewSoon);
        this.opens = new SessionOpens(master, this::id, opened.getLeaderTerm(), this::renewSoon);
        this.releases = new ReleaseBatcher(master, info.getSessionId());
        long intervalMs = Math.max(MIN_RENEW_INTERVAL_MS, Integer.toUnsignedLong(info.getLeaseMs()) / 3);
        renewer.scheduleWithFixedDelay(this::renew, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
        master.onAnswerFromAnotherMaster(this::renewSoon);
    }

    static ClientSession open(MasterConnection master, SessionOptions options) throws MoosengException {
        return new ClientSession(master, options, register(master, options, options.sessionId()));
    }

    long id() {
        return info.getSessionId();
    }

    /**
     * Queues the release of one open (FileOpenOp flags) that holds no lock; it is sent within
     * milliseconds, together with the releases queued meanwhile.
     */
    void releaseLater(long inode, int openFlags) {
        releases.release(inode, openFlags);
    }

    /** The locks held through this session. */
    SessionLocks locks() {
        return locks;
    }

    /** The read-only opens the leader holds for this session. */
    SessionOpens opens() {
        return opens;
    }

    /**
     * The term under which the leader holds this session's locks and read-only opens, both
     * given back after a failover; 0 while either is owed to a newer leader.
     */
    private long reclaimCompleteTerm() {
        long lockTerm = locks.reclaimCompleteTerm();
        return lockTerm == opens.reclaimCompleteTerm() ? lockTerm : 0;
    }

    private static SessionReply register(MasterConnection master, SessionOptions options, long sessionId)
            throws MoosengException {
        OpenSessionRequest request = OpenSessionRequest.newBuilder().setSessionId(sessionId)
                .setHost(options.host()).setMountPoint(options.mountPoint())
                .setRequestId(MasterNamespace.newRequestId()).build();
        SessionReply reply = master.call("session", s -> s.openSession(request));
        MoosengException.check(reply.getStatus(), "session", reply.getMessage());
        return reply;
    }

    /** Renews on the renewal thread as soon as it is free, unless such a renewal is already waiting. */
    private void renewSoon() {
        if (!closed) {
            earlyRenewal.request();
        }
    }

    private void renew() {
        if (closed) {
            return;
        }
        try {
            SessionRequest request = SessionRequest.newBuilder().setSessionId(id())
                    .setReclaimCompleteTerm(reclaimCompleteTerm()).build();
            RenewSessionReply reply = master.call("session " + id(), s -> s.renewSession(request));
            if (reply.getStatus() == Status.ESTALE.code()) {
                // Expired (the client was cut off longer than the lease): the master has released
                // this session's open files and locks. Register the same id again so new opens work.
                LOG.warn("session {} expired on the master; its open files and locks were released, "
                        + "registering it again", id());
                SessionReply reopened = register(master, options, id());
                info = reopened.getSession();
                locks.sessionReopened(reopened.getLeaderTerm());
                opens.sessionReopened(reopened.getLeaderTerm());
            } else if (reply.getStatus() != 0) {
                LOG.warn("session {}: renewal refused: {}", id(), reply.getMessage());
            } else {
                locks.renewedUnder(reply.getLeaderTerm());
                opens.renewedUnder(reply.getLeaderTerm());
            }
        } catch (MoosengException | RuntimeException e) {
            LOG.warn("session {}: renewal failed, retrying: {}", id(), e.getMessage());
        }
    }

    /** Stops renewing and ends the session on the master, releasing its open files and locks. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        master.onAnswerFromAnotherMaster(() -> { });
        releases.close();
        locks.close();
        opens.close();
        renewer.shutdownNow();
        try {
            renewer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            SessionRequest request = SessionRequest.newBuilder().setSessionId(id()).build();
            master.call("session " + id(), s -> s.closeSession(request));
        } catch (MoosengException | RuntimeException e) {
            // The lease runs out on the master anyway.
            LOG.debug("session {}: close failed: {}", id(), e.getMessage());
        }
    }
}
