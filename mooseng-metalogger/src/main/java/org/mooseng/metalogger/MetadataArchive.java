package org.mooseng.metalogger;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metalogger's archive, what {@link Restore} reads: {@code log/} (every applied entry, in
 * segments with a CRC32C per record) and {@code snapshots/} (namespace checkpoints with a
 * manifest of CRC32C per file). Keeps {@code snapshotsKept} snapshots and the log from the
 * oldest of them on.
 */
public final class MetadataArchive implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataArchive.class);
    public static final String LOG_DIR = "log";
    public static final String SNAPSHOTS_DIR = "snapshots";

    private final LogArchive log;
    private final SnapshotArchive snapshots;
    private final int snapshotsKept;
    private volatile List<Long> snapshotIndices;

    private MetadataArchive(LogArchive log, SnapshotArchive snapshots, int snapshotsKept) throws IOException {
        this.log = log;
        this.snapshots = snapshots;
        this.snapshotsKept = snapshotsKept;
        snapshots.deletePartial();
        this.snapshotIndices = snapshots.indices();
    }

    /** Opens the archive under {@code dir}, repairing a log tail a crash cut short. */
    public static MetadataArchive open(Path dir, long segmentBytes, int snapshotsKept) throws IOException {
        if (snapshotsKept < 1) {
            throw new IllegalArgumentException("snapshots kept must be at least 1: " + snapshotsKept);
        }
        LogArchive log = LogArchive.open(dir.resolve(LOG_DIR), segmentBytes);
        try {
            return new MetadataArchive(log, new SnapshotArchive(dir.resolve(SNAPSHOTS_DIR)), snapshotsKept);
        } catch (IOException | RuntimeException e) {
            log.close();
            throw e;
        }
    }

    /** Appends a record; ignored when the archive already holds its index. Durable after {@link #sync()}. */
    public void append(LogRecord record) throws IOException {
        log.append(record);
    }

    public void sync() throws IOException {
        log.sync();
    }

    /** Index of the newest archived record; 0 when none. */
    public long lastIndex() {
        return log.lastIndex();
    }

    public Optional<LogRecord> lastRecord() {
        return log.lastRecord();
    }

    /**
     * Adds a snapshot copied from a store checkpoint taken at applied index {@code index}, then
     * drops snapshots beyond the newest {@code snapshotsKept} and the log before the oldest kept.
     */
    public SnapshotManifest addSnapshot(Path checkpoint, long index, Optional<Instant> time, String clusterId)
            throws IOException {
        SnapshotManifest manifest = snapshots.write(checkpoint, index, time, clusterId);
        Optional<Long> oldest = snapshots.retain(snapshotsKept);
        snapshotIndices = snapshots.indices();
        if (oldest.isPresent()) {
            int deleted = log.deleteUpTo(oldest.get());
            if (deleted > 0) {
                LOG.info("metalogger archive: deleted {} log segment(s) before snapshot {}", deleted, oldest.get());
            }
        }
        LOG.info("metalogger archive: snapshot {} written ({} files, time {}, cluster {})", index,
                manifest.files().size(), time.map(Instant::toString).orElse("unknown"), clusterId);
        return manifest;
    }

    public boolean hasSnapshot(long index) {
        return snapshotIndices.contains(index);
    }

    /** Index of the newest snapshot; 0 when none. */
    public long lastSnapshotIndex() {
        List<Long> all = snapshotIndices;
        return all.isEmpty() ? 0 : all.getLast();
    }

    public int snapshotCount() {
        return snapshotIndices.size();
    }

    public int segmentCount() {
        return log.segmentCount();
    }

    @Override
    public void close() throws IOException {
        log.close();
    }
}
