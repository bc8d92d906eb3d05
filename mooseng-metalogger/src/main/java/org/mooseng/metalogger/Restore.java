package org.mooseng.metalogger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import com.google.protobuf.InvalidProtocolBufferException;
import org.mooseng.meta.MetaStore;
import org.mooseng.proto.MetaOp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds a master data directory from a metalogger's archive: the newest snapshot at or before
 * the target whose manifest and CRCs verify (damaged ones are reported and skipped, an older
 * one plus more log is used), the archived log replayed after it up to the target, then the
 * master's layout around the store ({@link MasterDirLayout}). The cluster id is the one the
 * namespace holds.
 */
public final class Restore {
    private static final Logger LOG = LoggerFactory.getLogger(Restore.class);
    /** Cache of the store while replaying: the replay touches each entry once or twice. */
    private static final long REPLAY_CACHE_ENTRIES = 10_000;

    private Restore() {
    }

    /**
     * What a restore produced.
     *
     * @param index            the restored applied index (the new master's log continues after it)
     * @param time             leader time of the op at {@code index}, when known
     * @param clusterId        the namespace's cluster id, written to the master's cluster-id file
     * @param snapshotIndex    the snapshot the replay started from; 0 = the empty namespace
     * @param replayedRecords  log records applied after the snapshot
     * @param skippedSnapshots damaged snapshots passed over, each with what is wrong
     * @param tornTail         a record cut short at the very end of the archive (a write a crash
     *                         interrupted, never acknowledged), ignored; empty when none
     */
    public record Outcome(long index, Optional<Instant> time, String clusterId, long snapshotIndex,
                          long replayedRecords, List<String> skippedSnapshots, Optional<String> tornTail) {
        public Outcome {
            skippedSnapshots = List.copyOf(skippedSnapshots);
        }
    }

    /**
     * Restores {@code from} (a metalogger's DATA_DIR, or a copy of its {@code log/} and
     * {@code snapshots/}) into {@code to}, which must be absent or empty, as the data directory
     * of a master whose Raft address is {@code masterRaftAddress} and which forms a group of one.
     * On failure {@code to} is left empty.
     */
    public static Outcome run(Path from, Path to, RestoreTarget target, String masterRaftAddress) throws IOException {
        MetaloggerServer.parsePeer(masterRaftAddress);
        Path logDir = from.resolve(MetadataArchive.LOG_DIR);
        SnapshotArchive snapshots = new SnapshotArchive(from.resolve(MetadataArchive.SNAPSHOTS_DIR));
        if (!Files.isDirectory(logDir) && !Files.isDirectory(snapshots.dir())) {
            throw new IOException(from + " holds no metalogger archive (no " + MetadataArchive.LOG_DIR + "/ nor "
                    + MetadataArchive.SNAPSHOTS_DIR + "/)");
        }
        requireEmpty(to);
        boolean created = !Files.exists(to);
        Files.createDirectories(to);
        try {
            Outcome outcome = restoreInto(logDir, snapshots, to, target, masterRaftAddress);
            LOG.info("restored {} into {}: index {} (time {}), cluster {}, from snapshot {} + {} log records{}", from,
                    to, outcome.index(), outcome.time().map(Instant::toString).orElse("unknown"), outcome.clusterId(),
                    outcome.snapshotIndex(), outcome.replayedRecords(), outcome.skippedSnapshots().isEmpty() ? ""
                            : "; skipped damaged snapshots: " + outcome.skippedSnapshots());
            return outcome;
        } catch (IOException | RuntimeException e) {
            emptyOut(to, created);
            throw e;
        }
    }

    private static Outcome restoreInto(Path logDir, SnapshotArchive snapshots, Path to, RestoreTarget target,
                                       String masterRaftAddress) throws IOException {
        Path storeDir = to.resolve(MasterDirLayout.STORE_DIR);
        List<String> skipped = new ArrayList<>();
        Optional<SnapshotManifest> base = copyBestSnapshot(snapshots, storeDir, target, skipped);
        long baseIndex = base.map(SnapshotManifest::index).orElse(0L);
        Files.createDirectories(storeDir);
        try (MetaStore store = MetaStore.open(storeDir, REPLAY_CACHE_ENTRIES)) {
            if (store.lastAppliedIndex() != baseIndex) {
                throw new ArchiveCorruptException(snapshots.snapshotDir(baseIndex), "the store in it is at index "
                        + store.lastAppliedIndex() + ", the manifest says " + baseIndex);
            }
            Replay replay = replay(logDir, store, baseIndex, base.flatMap(SnapshotManifest::time), target);
            String clusterId = store.clusterId().orElseThrow(() -> new IOException("the restored namespace (index "
                    + store.lastAppliedIndex() + ") was never formatted: it has no cluster id"));
            if (base.isPresent() && !base.get().clusterId().isEmpty() && !base.get().clusterId().equals(clusterId)) {
                throw new IOException("snapshot " + baseIndex + " names cluster " + base.get().clusterId()
                        + " but the restored namespace says " + clusterId);
            }
            MasterDirLayout.write(to, store, clusterId, masterRaftAddress);
            return new Outcome(store.lastAppliedIndex(), replay.time, clusterId, baseIndex, replay.records, skipped,
                    replay.tornTail);
        }
    }

    /**
     * Copies the newest usable snapshot's store into {@code storeDir}: at or before the target,
     * with a verified manifest and files. Empty when none is usable (replay then starts from the
     * empty namespace, which works while the archive still holds the log from index 1).
     */
    private static Optional<SnapshotManifest> copyBestSnapshot(SnapshotArchive snapshots, Path storeDir,
                                                               RestoreTarget target, List<String> skipped)
            throws IOException {
        List<Long> indices = new ArrayList<>(snapshots.indices());
        java.util.Collections.reverse(indices);
        for (long index : indices) {
            if (target instanceof RestoreTarget.AtIndex(long wanted) && index > wanted) {
                continue;
            }
            SnapshotManifest manifest;
            try {
                manifest = snapshots.manifest(index);
            } catch (ArchiveCorruptException e) {
                skip(skipped, index, e);
                continue;
            }
            if (target instanceof RestoreTarget.AtTime(Instant wanted)
                    && (manifest.time().isEmpty() || manifest.time().get().isAfter(wanted))) {
                continue;
            }
            try {
                snapshots.copyStoreVerified(manifest, storeDir);
                return Optional.of(manifest);
            } catch (ArchiveCorruptException e) {
                skip(skipped, index, e);
                SnapshotArchive.deleteRecursively(storeDir);
            }
        }
        return Optional.empty();
    }

    private static void skip(List<String> skipped, long index, ArchiveCorruptException e) {
        String why = "snapshot " + index + ": " + e.getMessage();
        LOG.warn("restore: skipping damaged {}", why);
        skipped.add(why);
    }

    private record Replay(long records, Optional<Instant> time, Optional<String> tornTail) {
    }

    private static Replay replay(Path logDir, MetaStore store, long baseIndex, Optional<Instant> baseTime,
                                 RestoreTarget target) throws IOException {
        long expectedPrev = baseIndex;
        long records = 0;
        Optional<Instant> time = baseTime;
        boolean passedTarget = false;
        Optional<String> torn;
        try (LogScanner scanner = new LogScanner(logDir, baseIndex)) {
            for (Optional<LogRecord> next = scanner.next(); next.isPresent(); next = scanner.next()) {
                LogRecord record = next.get();
                // Checked even for a record past the target: a hole before it may hold entries
                // up to the target.
                if (record.prevIndex() != expectedPrev) {
                    throw new IOException("archive gap at " + scanner.position() + ": record " + record.index()
                            + " follows index " + record.prevIndex() + " but the namespace is at " + expectedPrev
                            + (expectedPrev == 0 ? " (no usable snapshot at or before the target, and the log no"
                            + " longer starts at the first entry)" : " (entries in between are not archived: the metalogger received"
                            + " a snapshot from the leader there; restore from a snapshot taken after it)"));
                }
                boolean beyond = switch (target) {
                    case RestoreTarget.Latest() -> false;
                    case RestoreTarget.AtIndex(long index) -> record.index() > index;
                    case RestoreTarget.AtTime(Instant limit) -> record.time().isAfter(limit);
                };
                if (beyond) {
                    passedTarget = true;
                    break;
                }
                MetaOp op;
                try {
                    op = MetaOp.parseFrom(record.op());
                } catch (InvalidProtocolBufferException e) {
                    throw new IOException("record " + record.index() + " at " + scanner.position()
                            + ": CRC is right but the MetaOp does not decode: " + e.getMessage(), e);
                }
                store.apply(record.index(), op);
                expectedPrev = record.index();
                time = Optional.of(record.time());
                records++;
            }
            torn = scanner.tornTail().map(ArchiveCorruptException::getMessage);
        }
        if (target instanceof RestoreTarget.AtIndex(long index) && !passedTarget && expectedPrev < index) {
            throw new IOException("the archive ends at index " + expectedPrev + ", before the target index " + index
                    + torn.map(t -> " (a record cut short follows: " + t + ")").orElse(""));
        }
        return new Replay(records, time, torn);
    }

    private static void requireEmpty(Path to) throws IOException {
        if (!Files.exists(to)) {
            return;
        }
        if (!Files.isDirectory(to)) {
            throw new IOException("restore target " + to + " is not a directory");
        }
        try (Stream<Path> children = Files.list(to)) {
            if (children.findAny().isPresent()) {
                throw new IOException("restore target " + to + " is not empty; refusing to write into it");
            }
        }
    }

    private static void emptyOut(Path to, boolean created) {
        try {
            if (created) {
                SnapshotArchive.deleteRecursively(to);
            } else {
                try (Stream<Path> children = Files.list(to)) {
                    for (Path child : children.toList()) {
                        SnapshotArchive.deleteRecursively(child);
                    }
                }
            }
        } catch (IOException e) {
            LOG.warn("restore: cannot clean up {} after a failure", to, e);
        }
    }
}
