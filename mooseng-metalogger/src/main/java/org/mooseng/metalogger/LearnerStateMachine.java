package org.mooseng.metalogger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import com.alipay.sofa.jraft.Closure;
import com.alipay.sofa.jraft.Iterator;
import com.alipay.sofa.jraft.core.StateMachineAdapter;
import com.alipay.sofa.jraft.entity.LeaderChangeContext;
import com.alipay.sofa.jraft.error.RaftError;
import com.alipay.sofa.jraft.error.RaftException;
import com.alipay.sofa.jraft.storage.snapshot.SnapshotReader;
import com.alipay.sofa.jraft.storage.snapshot.SnapshotWriter;
import com.google.protobuf.InvalidProtocolBufferException;
import org.mooseng.meta.MetaStore;
import org.mooseng.proto.MetaOp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * jraft's view of the metalogger: every committed entry is archived (and the archive synced)
 * before it is applied to the namespace copy, so the archive is never behind the copy, and
 * an entry the archive lacks is one the copy has not applied (jraft delivers it again after a
 * restart). Snapshots of jraft and of the archive are both store checkpoints; a snapshot the
 * leader installs replaces the copy, and an archive snapshot is taken at once so that restores
 * can start after the hole in the log it leaves. Runs on jraft's single state-machine thread.
 */
final class LearnerStateMachine extends StateMachineAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(LearnerStateMachine.class);
    /** Subdirectory of a jraft snapshot holding the store checkpoint; the masters use the same name. */
    static final String CHECKPOINT_DIR = org.mooseng.master.raft.RaftEndpoints.CHECKPOINT_DIR;

    private final MetaStore store;
    private final MetadataArchive archive;
    private final SnapshotTaker snapshots;
    private final Path restoreScratchDir;
    private final LongSupplier wallClockMs;
    private volatile Optional<Instant> lastOpTime;
    private volatile long lastApplyWallMs;
    private volatile String leader = "";
    private volatile String failure = "";

    LearnerStateMachine(MetaStore store, MetadataArchive archive, SnapshotTaker snapshots, Path restoreScratchDir,
                        LongSupplier wallClockMs) {
        this.store = store;
        this.archive = archive;
        this.snapshots = snapshots;
        this.restoreScratchDir = restoreScratchDir;
        this.wallClockMs = wallClockMs;
        this.lastOpTime = archive.lastRecord().filter(r -> r.index() == store.lastAppliedIndex()).map(LogRecord::time);
    }

    private record Pending(long index, long prevIndex, MetaOp op, byte[] bytes) {
    }

    @Override
    public void onApply(Iterator iter) {
        long applied = store.lastAppliedIndex();
        long prev = applied;
        List<Pending> batch = new ArrayList<>();
        String undecodable = null;
        while (iter.hasNext()) {
            long index = iter.getIndex();
            if (index > applied) {
                ByteBuffer data = iter.getData();
                byte[] bytes = new byte[data.remaining()];
                data.duplicate().get(bytes);
                try {
                    batch.add(new Pending(index, prev, MetaOp.parseFrom(bytes), bytes));
                } catch (InvalidProtocolBufferException e) {
                    // Stop before this entry: archive and apply what came before it, then fail here.
                    undecodable = "log index " + index + ": undecodable MetaOp: " + e.getMessage();
                    break;
                }
                prev = index;
            }
            iter.next();
        }
        try {
            for (Pending p : batch) {
                archive.append(new LogRecord(p.index, p.prevIndex, p.op.getNow().getSeconds(), p.op.getNow().getNanos(),
                        p.bytes));
            }
            // Durable before the namespace copy moves: the copy never gets ahead of the archive.
            archive.sync();
        } catch (IOException | RuntimeException e) {
            fail(iter, batch.isEmpty() ? iter.getIndex() : batch.getFirst().index,
                    "archiving failed: " + e.getMessage(), e, undecodable != null);
            return;
        }
        for (Pending p : batch) {
            try {
                store.apply(p.index, p.op);
            } catch (RuntimeException e) {
                fail(iter, p.index, "apply failed: " + e, e, undecodable != null);
                return;
            }
            lastOpTime = Optional.of(Instant.ofEpochSecond(p.op.getNow().getSeconds(), p.op.getNow().getNanos()));
        }
        if (!batch.isEmpty()) {
            lastApplyWallMs = wallClockMs.getAsLong();
        }
        if (undecodable != null) {
            // The iterator still stands on the bad entry: roll back just that one.
            failure = undecodable;
            LOG.error("metalogger: {}; stopping", undecodable);
            iter.setErrorAndRollback(1, new com.alipay.sofa.jraft.Status(RaftError.EINVAL, "%s", undecodable));
        }
    }

    /**
     * Stops the state machine with entries from {@code index} on unapplied. Raft indexes within one
     * call are consecutive, so the rollback is the distance from the iterator's position.
     */
    private void fail(Iterator iter, long index, String reason, Exception cause, boolean standingOnEntry) {
        failure = "log index " + index + ": " + reason;
        LOG.error("metalogger: {}; stopping", failure, cause);
        long ntail = iter.getIndex() - index + (standingOnEntry ? 1 : 0);
        iter.setErrorAndRollback(Math.max(1, ntail), new com.alipay.sofa.jraft.Status(RaftError.ESTATEMACHINE,
                "%s", failure));
    }

    @Override
    public void onSnapshotSave(SnapshotWriter writer, Closure done) {
        Path base = Path.of(writer.getPath());
        Path checkpoint = base.resolve(CHECKPOINT_DIR);
        try {
            store.checkpoint(checkpoint);
            for (Path file : SnapshotArchive.regularFiles(checkpoint)) {
                String relative = base.relativize(file).toString();
                if (!writer.addFile(relative)) {
                    throw new IOException("snapshot " + base + ": cannot add " + relative);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("metalogger: raft snapshot {} failed", base, e);
            done.run(new com.alipay.sofa.jraft.Status(RaftError.EIO, "checkpoint failed: %s", e.getMessage()));
            return;
        }
        takeArchiveSnapshot();
        done.run(com.alipay.sofa.jraft.Status.OK());
    }

    /** An archive snapshot of the store as it is now; failures are logged and shown in the status. */
    void takeArchiveSnapshot() {
        try {
            snapshots.take(lastOpTime);
        } catch (IOException | RuntimeException e) {
            LOG.error("metalogger: archive snapshot at index {} failed", store.lastAppliedIndex(), e);
        }
    }

    @Override
    public boolean onSnapshotLoad(SnapshotReader reader) {
        var meta = reader.load();
        if (meta == null) {
            LOG.error("metalogger: snapshot {} has unreadable metadata", reader.getPath());
            return false;
        }
        if (store.lastAppliedIndex() >= meta.getLastIncludedIndex()) {
            // At startup jraft loads its own latest snapshot; the copy already holds at least that.
            return true;
        }
        try {
            store.restore(scratchCopy(Path.of(reader.getPath()).resolve(CHECKPOINT_DIR)));
            SnapshotArchive.deleteRecursively(restoreScratchDir);
        } catch (IOException | RuntimeException e) {
            LOG.error("metalogger: installing snapshot {} failed", reader.getPath(), e);
            return false;
        }
        // The leader's snapshot says nothing of its ops' times; the archive skips the entries it
        // covers, so restores must start from a snapshot taken now.
        lastOpTime = Optional.empty();
        LOG.info("metalogger: namespace copy replaced by the leader's snapshot at log index {} (applied index {})",
                meta.getLastIncludedIndex(), store.lastAppliedIndex());
        takeArchiveSnapshot();
        return true;
    }

    private Path scratchCopy(Path checkpoint) throws IOException {
        SnapshotArchive.deleteRecursively(restoreScratchDir);
        Files.createDirectories(restoreScratchDir);
        try (Stream<Path> walk = Files.walk(checkpoint)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                Path target = restoreScratchDir.resolve(checkpoint.relativize(file).toString());
                Files.createDirectories(target.getParent());
                Files.copy(file, target);
            }
        }
        return restoreScratchDir;
    }

    @Override
    public void onStartFollowing(LeaderChangeContext ctx) {
        leader = ctx.getLeaderId() == null ? "" : ctx.getLeaderId().getEndpoint().toString();
        LOG.info("metalogger: following leader {} in term {}", leader, ctx.getTerm());
    }

    @Override
    public void onStopFollowing(LeaderChangeContext ctx) {
        leader = "";
        LOG.info("metalogger: stopped following {} ({})", ctx.getLeaderId(), ctx.getStatus());
    }

    @Override
    public void onError(RaftException e) {
        if (failure.isEmpty()) {
            failure = String.valueOf(e.getStatus());
        }
        LOG.error("metalogger: raft stopped the state machine: {}", e.getStatus(), e);
    }

    Optional<Instant> lastOpTime() {
        return lastOpTime;
    }

    long lastApplyWallMs() {
        return lastApplyWallMs;
    }

    /** The leader this metalogger follows (host:raftPort); empty when none. */
    String leader() {
        return leader;
    }

    /** Why the state machine stopped; empty while it runs. */
    String failure() {
        return failure;
    }
}
