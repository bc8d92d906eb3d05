package org.mooseng.master;

import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.function.LongConsumer;
import org.mooseng.common.Status;
import org.mooseng.master.chunks.ChunkRegistry;
import org.mooseng.master.raft.RaftNode;
import org.mooseng.meta.MetaStore;
import org.mooseng.proto.Credentials;
import org.mooseng.proto.FormatOp;
import org.mooseng.proto.MetaOp;
import org.mooseng.proto.MetaResult;
import org.mooseng.proto.Timespec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a master does when it becomes the ready leader: format a fresh namespace with the
 * cluster id of its data directory, and queue every replica the registry knows for review
 * (the reviewer reads current versions from the store). Runs off jraft's state-machine thread.
 */
final class LeaderDuties implements RaftNode.LeadershipListener {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderDuties.class);

    private final String clusterId;
    private final MetaStore store;
    private final ChunkRegistry registry;
    private final ExecutorService workers;
    private final Clock clock;
    /** Guarded by this: told every leadership change, with the new term or 0 when leadership was lost. */
    private LongConsumer leadershipChange = term -> { };
    /** Guarded by this: the term this master leads, 0 when it does not. */
    private long leaderTerm;
    private final java.util.concurrent.CompletableFuture<RaftNode> raft = new java.util.concurrent.CompletableFuture<>();

    LeaderDuties(String clusterId, MetaStore store, ChunkRegistry registry, ExecutorService workers, Clock clock) {
        this.clusterId = clusterId;
        this.store = store;
        this.registry = registry;
        this.workers = workers;
        this.clock = clock;
    }

    void attach(RaftNode node) {
        raft.complete(node);
    }

    /**
     * Runs {@code action} on every leadership change (soft state of the old term is void) with
     * the term now led, or 0 when this master stopped leading; and once now, with the current
     * state, because a group of one may elect itself before the action is set.
     */
    synchronized void onLeadershipChange(LongConsumer action) {
        leadershipChange = action;
        action.accept(leaderTerm);
    }

    @Override
    public void onLeaderReady(long term) {
        synchronized (this) {
            leaderTerm = term;
            leadershipChange.accept(term);
        }
        workers.execute(() -> runDuties(term));
    }

    @Override
    public void onLeaderLost() {
        synchronized (this) {
            leaderTerm = 0;
            leadershipChange.accept(0);
        }
    }

    private void runDuties(long term) {
        // A group of one may elect itself before RaftNode.start has returned its node.
        RaftNode node;
        try {
            node = raft.get();
        } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
            Thread.currentThread().interrupt();
            return;
        }
        Optional<String> stored = store.clusterId();
        if (stored.isEmpty()) {
            java.time.Instant now = clock.instant();
            MetaOp format = MetaOp.newBuilder()
                    .setNow(Timespec.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
                    .setCred(Credentials.newBuilder().setUid(0).setGid(0))
                    .setFormat(FormatOp.newBuilder().setClusterId(clusterId)).build();
            MetaResult result;
            try {
                result = node.propose(format).get();
            } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (result.getStatus() == 0) {
                LOG.info("namespace formatted for cluster {} in term {}", clusterId, term);
            } else {
                LOG.warn("cluster {}: format op not applied: {} {}", clusterId,
                        Status.fromCode(result.getStatus()), result.getMessage());
            }
        } else if (!stored.get().equals(clusterId)) {
            LOG.error("namespace belongs to cluster {} but the data dir's cluster-id file says {}; "
                    + "clients of either id will be refused or misled, fix the data dir", stored.get(), clusterId);
        }
        // No walk over the namespace: reviews look each chunk's version up in the store, so
        // queueing the replicas heard of as a follower is all a new leader has to do.
        registry.reviewAll();
        LOG.debug("leader of term {} queued every known replica for review", term);
    }
}
