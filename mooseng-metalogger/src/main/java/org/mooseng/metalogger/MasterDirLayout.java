package org.mooseng.metalogger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.entity.RaftOutter.SnapshotMeta;
import com.alipay.sofa.jraft.option.RaftOptions;
import com.alipay.sofa.jraft.storage.snapshot.SnapshotWriter;
import com.alipay.sofa.jraft.storage.snapshot.local.LocalSnapshotStorage;
import org.mooseng.meta.MetaStore;

/**
 * The parts of a master's data directory that {@code MasterServer} reads at start, written
 * around a restored namespace store:
 * <pre>
 * cluster-id                          the cluster id, as 'mooseng master --format' writes it
 * raft-port                           the restored member's Raft port (used when RAFT_PORT = 0)
 * meta/                               the namespace store (already in place)
 * raft/snapshot/snapshot_N/           a jraft snapshot at the restored index N: meta/ = store checkpoint,
 *                                     configuration = the new master alone
 * </pre>
 * Why the jraft snapshot: a master skips every log entry at or below its store's applied index
 * (the store is durable on its own and may be ahead of the last snapshot). A new group whose
 * log started at 1 would have its first N entries skipped, losing them; with a snapshot at N
 * the log continues at N + 1.
 */
final class MasterDirLayout {
    static final String CLUSTER_ID_FILE = "cluster-id";
    static final String RAFT_PORT_FILE = "raft-port";
    static final String STORE_DIR = "meta";
    static final String RAFT_SNAPSHOT_DIR = "raft/snapshot";
    /** The Raft term the snapshot claims; the new group's first election then starts term 1 above nothing. */
    static final long SNAPSHOT_TERM = 1;

    private MasterDirLayout() {
    }

    /**
     * Writes the cluster id, the Raft port file and a jraft snapshot of {@code store} (open, at
     * its final applied index) whose configuration is {@code masterRaftAddress} alone.
     */
    static void write(Path masterDir, MetaStore store, String clusterId, String masterRaftAddress)
            throws IOException {
        PeerId master = MetaloggerServer.parsePeer(masterRaftAddress);
        writeSynced(masterDir.resolve(CLUSTER_ID_FILE), clusterId + "\n");
        writeSynced(masterDir.resolve(RAFT_PORT_FILE), master.getPort() + "\n");
        long index = store.lastAppliedIndex();
        if (index == 0) {
            return; // an empty namespace: the new group's log may start at 1
        }
        Path snapshotDir = masterDir.resolve(RAFT_SNAPSHOT_DIR);
        Files.createDirectories(snapshotDir);
        LocalSnapshotStorage storage = new LocalSnapshotStorage(snapshotDir.toString(), null, new RaftOptions());
        if (!storage.init(null)) {
            throw new IOException("cannot initialise the jraft snapshot storage in " + snapshotDir);
        }
        try {
            SnapshotWriter writer = storage.create();
            if (writer == null) {
                throw new IOException("cannot create a jraft snapshot in " + snapshotDir);
            }
            Path base = Path.of(writer.getPath());
            Path checkpoint = base.resolve(LearnerStateMachine.CHECKPOINT_DIR);
            store.checkpoint(checkpoint);
            for (Path file : SnapshotArchive.regularFiles(checkpoint)) {
                String relative = base.relativize(file).toString();
                if (!writer.addFile(relative)) {
                    throw new IOException("jraft snapshot " + base + ": cannot add " + relative);
                }
            }
            SnapshotMeta meta = SnapshotMeta.newBuilder().setLastIncludedIndex(index)
                    .setLastIncludedTerm(SNAPSHOT_TERM).addPeers(master.toString()).build();
            if (!writer.saveMeta(meta)) {
                throw new IOException("jraft snapshot " + base + ": cannot save its metadata");
            }
            writer.close(); // syncs the metadata and renames the snapshot into place
        } finally {
            storage.shutdown();
        }
        if (!Files.isDirectory(snapshotDir.resolve("snapshot_" + index))) {
            throw new IOException("jraft snapshot at index " + index + " missing in " + snapshotDir + " after writing it");
        }
    }

    private static void writeSynced(Path file, String content) throws IOException {
        Files.writeString(file, content, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE, StandardOpenOption.SYNC);
    }
}
