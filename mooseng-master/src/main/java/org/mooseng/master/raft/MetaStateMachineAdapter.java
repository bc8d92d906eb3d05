package org.mooseng.master.raft;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
import org.mooseng.common.Status;
import org.mooseng.meta.MetadataStateMachine;
import org.mooseng.proto.MetaOp;
import org.mooseng.proto.MetaResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * jraft's view of the namespace: committed entries go to {@link MetadataStateMachine#apply},
 * snapshots are store checkpoints. Runs on jraft's single state-machine thread.
 */
final class MetaStateMachineAdapter extends StateMachineAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(MetaStateMachineAdapter.class);
    static final String CHECKPOINT_DIR = RaftEndpoints.CHECKPOINT_DIR;

    private final MetadataStateMachine stateMachine;
    private final RaftNode node;
    private final Path restoreScratchDir;
    /**
     * Why the last apply or checkpoint failed, for the one log line {@link #onError} writes when
     * jraft stops this member for it.
     */
    private volatile Exception lastFailure;

    MetaStateMachineAdapter(MetadataStateMachine stateMachine, RaftNode node, Path restoreScratchDir) {
        this.stateMachine = stateMachine;
        this.node = node;
        this.restoreScratchDir = restoreScratchDir;
    }

    @Override
    public void onApply(Iterator iter) {
        while (iter.hasNext()) {
            long index = iter.getIndex();
            Closure done = iter.done();
            MetaResult result;
            if (index <= stateMachine.lastAppliedIndex()) {
                // The store is durable on its own and may be ahead of the last snapshot:
                // replaying an entry it already holds would apply it twice.
                result = ProposalClosure.failure(Status.EIO, "log index " + index + ": already applied");
            } else {
                MetaOp op;
                try {
                    op = MetaOp.parseFrom(iter.getData());
                } catch (InvalidProtocolBufferException e) {
                    // A committed entry that does not decode means the log is corrupt or written
                    // by an incompatible version: stop this node rather than diverge.
                    iter.setErrorAndRollback(1, new com.alipay.sofa.jraft.Status(RaftError.EINVAL,
                            "log index %d: undecodable MetaOp: %s", index, e.getMessage()));
                    return;
                }
                try {
                    result = stateMachine.apply(index, op);
                } catch (RuntimeException e) {
                    // The store could not write (a full disk, an I/O error) or an invariant broke:
                    // applying further entries could only diverge from the other members, so this
                    // member stops and another leads. The entry is committed and the others apply
                    // it, so the caller is told the outcome is unknown (NOT_LEADER: retry with the
                    // same request id), never that it failed nor that it succeeded here.
                    lastFailure = e;
                    if (done instanceof ProposalClosure proposal) {
                        proposal.result.complete(node.notLeaderResult("log index " + index + ": apply failed: " + e));
                    }
                    iter.setErrorAndRollback(1, new com.alipay.sofa.jraft.Status(RaftError.ESTATEMACHINE,
                            "log index %d: apply failed: %s", index, e));
                    return;
                }
            }
            if (done instanceof ProposalClosure proposal) {
                proposal.result.complete(result);
            }
            if (done != null) {
                done.run(com.alipay.sofa.jraft.Status.OK());
            }
            iter.next();
        }
    }

    @Override
    public void onSnapshotSave(SnapshotWriter writer, Closure done) {
        Path base = Path.of(writer.getPath());
        Path checkpoint = base.resolve(CHECKPOINT_DIR);
        try {
            stateMachine.checkpoint(checkpoint);
            try (Stream<Path> files = Files.walk(checkpoint)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    String relative = base.relativize(file).toString();
                    if (!writer.addFile(relative)) {
                        throw new IOException("snapshot " + base + ": cannot add " + relative);
                    }
                }
            }
            done.run(com.alipay.sofa.jraft.Status.OK());
        } catch (IOException | RuntimeException e) {
            // jraft stops the member on this EIO (a full disk, most likely): logged by onError.
            lastFailure = e;
            done.run(new com.alipay.sofa.jraft.Status(RaftError.EIO, "snapshot %s: checkpoint failed: %s", base,
                    e.getMessage()));
        }
    }

    @Override
    public boolean onSnapshotLoad(SnapshotReader reader) {
        var meta = reader.load();
        if (meta == null) {
            LOG.error("snapshot {}: unreadable metadata", reader.getPath());
            return false;
        }
        long snapshotIndex = meta.getLastIncludedIndex();
        if (stateMachine.lastAppliedIndex() >= snapshotIndex) {
            // At startup jraft loads its latest snapshot, but our store already persisted at
            // least that much; restoring would only throw away newer applied entries.
            return true;
        }
        try {
            stateMachine.restore(scratchCopy(Path.of(reader.getPath()).resolve(CHECKPOINT_DIR)));
            deleteRecursively(restoreScratchDir);
            LOG.info("namespace restored from snapshot at log index {}", snapshotIndex);
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.error("snapshot {}: restore failed", reader.getPath(), e);
            return false;
        }
    }

    /**
     * A private copy of a snapshot's checkpoint, so the store may take over or modify the files
     * without damaging the snapshot jraft may still send to other members. Immutable table files
     * are hard-linked, the rest copied.
     */
    private Path scratchCopy(Path checkpoint) throws IOException {
        deleteRecursively(restoreScratchDir);
        Files.createDirectories(restoreScratchDir);
        List<Path> files;
        try (Stream<Path> walk = Files.walk(checkpoint)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        for (Path file : files) {
            Path target = restoreScratchDir.resolve(checkpoint.relativize(file).toString());
            Files.createDirectories(target.getParent());
            if (file.getFileName().toString().endsWith(".sst")) {
                try {
                    Files.createLink(target, file);
                    continue;
                } catch (IOException | UnsupportedOperationException e) {
                    LOG.debug("hard link {} failed, copying", file, e);
                }
            }
            Files.copy(file, target);
        }
        return restoreScratchDir;
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Override
    public void onLeaderStart(long term) {
        // jraft calls this once the new term's first entry is applied, so the store already
        // holds every entry committed by earlier leaders: reads from it are current.
        node.leaderStarted(term);
    }

    @Override
    public void onLeaderStop(com.alipay.sofa.jraft.Status status) {
        node.leaderStopped(status.getErrorMsg());
    }

    @Override
    public void onStartFollowing(LeaderChangeContext ctx) {
        LOG.info("master raft: following leader {} in term {}", ctx.getLeaderId(), ctx.getTerm());
    }

    @Override
    public void onError(RaftException e) {
        node.stoppedOnError(e, lastFailure);
    }
}
