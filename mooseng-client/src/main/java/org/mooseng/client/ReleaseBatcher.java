package org.mooseng.client;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.mooseng.proto.ReleaseFileRequest;
import org.mooseng.proto.ReleasedOpen;
import org.mooseng.proto.StatusReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a session's releases of opens that hold no lock in batches, one metadata commit per
 * batch instead of one per close. Nothing waits for such a release (the kernel sends FUSE's
 * release after close(2) has returned), and all it does on the master is lower an open count;
 * until it lands, an unlinked file's data is kept a few milliseconds longer. A release waits at
 * most {@link #LINGER_MS} for others to join it; {@link #close} sends what is queued.
 */
final class ReleaseBatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReleaseBatcher.class);
    static final long LINGER_MS = 5;
    /** Releases per call; the master takes up to 4,096. */
    static final int MAX_BATCH = 1024;

    private final MasterConnection master;
    private final long sessionId;
    private final ScheduledExecutorService sender;
    private final Object lock = new Object();
    private List<ReleasedOpen> queued = new ArrayList<>();
    private boolean sendScheduled;
    private boolean closed;

    ReleaseBatcher(MasterConnection master, long sessionId) {
        this.master = master;
        this.sessionId = sessionId;
        this.sender = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon()
                .name("mooseng-release-" + sessionId).factory());
    }

    /** Queues the release of one open of {@code inode} made with these FileOpenOp flags. */
    void release(long inode, int flags) {
        ReleasedOpen open = ReleasedOpen.newBuilder().setInode(inode).setFlags(flags).build();
        synchronized (lock) {
            if (!closed) {
                queued.add(open);
                try {
                    if (queued.size() >= MAX_BATCH) {
                        sender.execute(this::sendQueued);
                    } else if (!sendScheduled) {
                        sender.schedule(this::sendQueued, LINGER_MS, TimeUnit.MILLISECONDS);
                        sendScheduled = true;
                    }
                    return;
                } catch (RejectedExecutionException e) {
                    queued.remove(queued.size() - 1); // closing: sent below
                }
            }
        }
        send(List.of(open));
    }

    private void sendQueued() {
        List<ReleasedOpen> batch;
        synchronized (lock) {
            batch = queued;
            queued = new ArrayList<>();
            sendScheduled = false;
        }
        for (int from = 0; from < batch.size(); from += MAX_BATCH) {
            send(batch.subList(from, Math.min(batch.size(), from + MAX_BATCH)));
        }
    }

    private void send(List<ReleasedOpen> batch) {
        ReleasedOpen first = batch.get(0);
        ReleaseFileRequest request = ReleaseFileRequest.newBuilder().setSessionId(sessionId)
                .setInode(first.getInode()).setFlags(first.getFlags()).addAllMore(batch.subList(1, batch.size()))
                .setRequestId(MasterNamespace.newRequestId()).build();
        String subject = "session " + sessionId + ": release of " + batch.size() + " open(s)";
        try {
            StatusReply reply = master.call(subject, s -> s.releaseFile(request));
            if (reply.getStatus() != 0) {
                // ESTALE: the session expired, and its opens went with it.
                LOG.warn("{} refused: {}", subject, reply.getMessage());
            }
        } catch (MoosengException | RuntimeException e) {
            // The opens stay counted until the session ends (closed or its lease runs out).
            LOG.warn("{} failed: {}", subject, e.getMessage());
        }
    }

    /** Sends every queued release, then stops. Later releases are sent one by one at once. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
        }
        sender.shutdown(); // releases already scheduled still run
        try {
            if (!sender.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("session {}: releases still being sent after 30 s", sessionId);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sendQueued();
    }
}
