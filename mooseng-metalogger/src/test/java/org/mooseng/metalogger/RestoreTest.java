package org.mooseng.metalogger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.meta.MetaStore;

/**
 * Restores from an archive built by applying a seeded op script (snapshots in the middle) and
 * compares the whole namespace with a store that applied exactly the ops up to the target.
 */
class RestoreTest {
    private static final String MASTER = "127.0.0.1:19419";
    private static final int OPS = 900;

    @TempDir
    Path tmp;
    private List<OpScript.Entry> script;
    private Path archiveDir;
    private SnapshotManifest first;
    private SnapshotManifest second;

    @BeforeEach
    void buildArchive() throws IOException {
        script = OpScript.generate(42, OPS);
        archiveDir = tmp.resolve("metalogger");
        // Small segments, so the replay crosses several of them.
        try (ArchivedNamespace ns = new ArchivedNamespace(archiveDir, 8 << 10, 3)) {
            ns.apply(script.subList(0, 300));
            first = ns.snapshot();
            ns.apply(script.subList(300, 600));
            second = ns.snapshot();
            ns.apply(script.subList(600, OPS));
            assertThat(ns.archive.segmentCount()).isGreaterThan(3);
        }
    }

    @Test
    void latestRestoreEqualsAStoreThatAppliedEveryOp() throws IOException {
        Restore.Outcome outcome = Restore.run(archiveDir, tmp.resolve("master"), RestoreTarget.latest(), MASTER);

        assertThat(outcome.snapshotIndex()).isEqualTo(second.index());
        assertThat(outcome.replayedRecords()).isEqualTo(OPS - 600);
        assertThat(outcome.index()).isEqualTo(script.getLast().index());
        assertThat(outcome.time()).contains(script.getLast().time());
        assertThat(outcome.clusterId()).isEqualTo(OpScript.CLUSTER_ID);
        assertThat(outcome.skippedSnapshots()).isEmpty();
        assertSameNamespace(tmp.resolve("master"), e -> true);
    }

    @Test
    void restoreToAnIndexStopsThere() throws IOException {
        long target = script.get(449).index();
        Restore.Outcome outcome = Restore.run(archiveDir, tmp.resolve("master"), RestoreTarget.index(target), MASTER);

        assertThat(outcome.snapshotIndex()).isEqualTo(first.index());
        assertThat(outcome.index()).isEqualTo(target);
        assertSameNamespace(tmp.resolve("master"), e -> e.index() <= target);
    }

    @Test
    void archiveWithoutSnapshotsIsReplayedFromTheFirstEntry() throws IOException {
        Path dir = tmp.resolve("log-only");
        try (ArchivedNamespace ns = new ArchivedNamespace(dir, 8 << 10, 3)) {
            ns.apply(script.subList(0, 250));
        }
        Restore.Outcome outcome = Restore.run(dir, tmp.resolve("master"), RestoreTarget.latest(), MASTER);

        assertThat(outcome.snapshotIndex()).isZero();
        assertThat(outcome.replayedRecords()).isEqualTo(250);
        assertSameNamespace(tmp.resolve("master"), e -> e.index() <= script.get(249).index());
    }

    @Test
    void targetBeforeTheOldestSnapshotIsRefusedOnceItsLogIsDeleted() {
        // Segments older than the oldest kept snapshot are gone: nothing can rebuild index 100.
        long target = script.get(99).index();

        assertThatThrownBy(() -> Restore.run(archiveDir, tmp.resolve("master"), RestoreTarget.index(target), MASTER))
                .hasMessageContaining("archive gap").hasMessageContaining("log no longer starts at the first entry");
        assertThat(tmp.resolve("master")).doesNotExist();
    }

    @Test
    void restoreToATimeKeepsTheOpsStampedUpToIt() throws IOException {
        Instant target = script.get(700).time().plusNanos(1);
        Restore.Outcome outcome = Restore.run(archiveDir, tmp.resolve("master"), RestoreTarget.time(target), MASTER);

        assertThat(outcome.snapshotIndex()).isEqualTo(second.index());
        assertThat(outcome.index()).isEqualTo(script.get(700).index());
        assertThat(outcome.time()).contains(script.get(700).time());
        assertSameNamespace(tmp.resolve("master"), e -> !e.time().isAfter(target));
    }

    @Test
    void damagedNewestSnapshotIsSkippedForThePreviousOnePlusLog() throws IOException {
        Path newest = new SnapshotArchive(archiveDir.resolve("snapshots")).snapshotDir(second.index());
        Path victim = largestFile(newest.resolve("store"));
        flipByte(victim, Files.size(victim) / 2);

        Restore.Outcome outcome = Restore.run(archiveDir, tmp.resolve("master"), RestoreTarget.latest(), MASTER);

        assertThat(outcome.snapshotIndex()).isEqualTo(first.index());
        assertThat(outcome.replayedRecords()).isEqualTo(OPS - 300);
        assertThat(outcome.skippedSnapshots()).singleElement().asString()
                .contains("snapshot " + second.index()).contains(victim.getFileName().toString()).contains("CRC32C");
        assertSameNamespace(tmp.resolve("master"), e -> true);
    }

    @Test
    void damagedManifestIsSkippedToo() throws IOException {
        Path manifest = new SnapshotArchive(archiveDir.resolve("snapshots")).snapshotDir(second.index())
                .resolve("manifest");
        String text = Files.readString(manifest).replace("index " + second.index(), "index " + (second.index() + 1));
        Files.writeString(manifest, text);

        Restore.Outcome outcome = Restore.run(archiveDir, tmp.resolve("master"), RestoreTarget.latest(), MASTER);

        assertThat(outcome.snapshotIndex()).isEqualTo(first.index());
        assertThat(outcome.skippedSnapshots()).singleElement().asString().contains("manifest CRC32C mismatch");
        assertSameNamespace(tmp.resolve("master"), e -> true);
    }

    @Test
    void damagedRecordBeforeTheTargetFailsNamingFileAndOffset() throws IOException {
        // The record right after the second snapshot: every replay of the latest state reads it.
        long index = script.get(600).index();
        Located located = locate(index);
        flipByte(located.file, located.offset + SegmentFormat.RECORD_HEAD_BYTES);
        Path to = tmp.resolve("master");

        assertThatThrownBy(() -> Restore.run(archiveDir, to, RestoreTarget.latest(), MASTER))
                .isInstanceOf(ArchiveCorruptException.class)
                .hasMessageContaining(located.file.toString())
                .hasMessageContaining("offset " + located.offset)
                .hasMessageContaining("CRC32C mismatch");
        assertThat(to).doesNotExist();
    }

    @Test
    void recordCutShortAtTheEndIsIgnoredAsAnUnfinishedWrite() throws IOException {
        List<Long> segments = LogArchive.listSegments(archiveDir.resolve("log"));
        Path last = LogArchive.segmentPath(archiveDir.resolve("log"), segments.getLast());
        byte[] half = new byte[20];
        half[3] = 40; // a length field promising more than the file holds
        Files.write(last, half, StandardOpenOption.APPEND);

        Restore.Outcome outcome = Restore.run(archiveDir, tmp.resolve("master"), RestoreTarget.latest(), MASTER);

        assertThat(outcome.tornTail()).hasValueSatisfying(t -> assertThat(t).contains(last.getFileName().toString()));
        assertSameNamespace(tmp.resolve("master"), e -> true);
    }

    @Test
    void targetBeyondTheArchiveIsRefused() {
        long beyond = script.getLast().index() + 10;
        assertThatThrownBy(() -> Restore.run(archiveDir, tmp.resolve("master"), RestoreTarget.index(beyond), MASTER))
                .hasMessageContaining("ends at index " + script.getLast().index());
    }

    @Test
    void nonEmptyTargetIsRefusedAndLeftAlone() throws IOException {
        Path to = Files.createDirectories(tmp.resolve("master"));
        Files.writeString(to.resolve("precious"), "keep me");

        assertThatThrownBy(() -> Restore.run(archiveDir, to, RestoreTarget.latest(), MASTER))
                .hasMessageContaining("not empty");
        assertThat(Files.readString(to.resolve("precious"))).isEqualTo("keep me");
    }

    @Test
    void restoredDirectoryIsLaidOutAsAMasterDataDir() throws IOException {
        Path to = tmp.resolve("master");
        Restore.Outcome outcome = Restore.run(archiveDir, to, RestoreTarget.latest(), MASTER);

        assertThat(Files.readString(to.resolve("cluster-id"))).isEqualTo(OpScript.CLUSTER_ID + "\n");
        assertThat(Files.readString(to.resolve("raft-port"))).isEqualTo("19419\n");
        Path raftSnapshot = to.resolve("raft/snapshot/snapshot_" + outcome.index());
        assertThat(raftSnapshot.resolve("__raft_snapshot_meta")).isRegularFile();
        assertThat(raftSnapshot.resolve("meta/CURRENT")).isRegularFile();
        try (MetaStore inSnapshot = MetaStore.open(copyOf(raftSnapshot.resolve("meta")), 1_000)) {
            assertThat(inSnapshot.lastAppliedIndex()).isEqualTo(outcome.index());
        }
    }

    @Test
    void holeInTheLogIsReportedInsteadOfReplayedOver() throws IOException {
        // As after the leader installed a snapshot on the metalogger: entries between 600 and 650
        // never reach the archive, and the next record follows the installed state.
        Path dir = tmp.resolve("holed");
        try (ArchivedNamespace ns = new ArchivedNamespace(dir, 16 << 10, 3)) {
            ns.apply(script.subList(0, 600));
            ns.snapshot();
            try (MetaStore leader = ArchivedNamespace.reference(tmp.resolve("leader"), script,
                    e -> e.index() <= script.get(649).index())) {
                Path checkpoint = tmp.resolve("leader-checkpoint");
                leader.checkpoint(checkpoint);
                ns.store.restore(checkpoint);
            }
            ns.apply(script.subList(650, 700));
        }
        long target = script.get(699).index();

        assertThatThrownBy(() -> Restore.run(dir, tmp.resolve("m1"), RestoreTarget.index(target), MASTER))
                .hasMessageContaining("archive gap").hasMessageContaining("follows index " + script.get(649).index());
    }

    // ------------------------------------------------------------------ helpers

    private void assertSameNamespace(Path masterDir, java.util.function.Predicate<OpScript.Entry> keep)
            throws IOException {
        try (MetaStore restored = MetaStore.open(masterDir.resolve("meta"), 10_000);
             MetaStore expected = ArchivedNamespace.reference(tmp.resolve("expected"), script, keep)) {
            assertThat(restored.lastAppliedIndex()).isEqualTo(expected.lastAppliedIndex());
            assertThat(restored.clusterId()).contains(OpScript.CLUSTER_ID);
            List<String> restoredLines = NamespaceDigest.lines(restored, restored);
            assertThat(restoredLines).containsExactlyElementsOf(NamespaceDigest.lines(expected, expected));
            assertThat(ArchivedNamespace.digest(restored)).isEqualTo(ArchivedNamespace.digest(expected));
            // The script must build something worth comparing.
            assertThat(restored.stats().inodes()).isGreaterThan(10);
            assertThat(restoredLines).anyMatch(l -> l.contains("xattr")).anyMatch(l -> l.contains("chunk"))
                    .anyMatch(l -> l.startsWith("session"));
        }
    }

    private record Located(Path file, long offset) {
    }

    /** The segment file and byte offset of the record with this index. */
    private Located locate(long index) throws IOException {
        Path logDir = archiveDir.resolve("log");
        for (long first : LogArchive.listSegments(logDir)) {
            Path file = LogArchive.segmentPath(logDir, first);
            try (SegmentReader reader = SegmentReader.open(file)) {
                long offset = reader.offset();
                for (var r = reader.next(); r.isPresent(); r = reader.next()) {
                    if (r.get().index() == index) {
                        return new Located(file, offset);
                    }
                    offset = reader.offset();
                }
            }
        }
        throw new AssertionError("no record " + index);
    }

    private static Path largestFile(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.max(java.util.Comparator.comparingLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            })).orElseThrow();
        }
    }

    static void flipByte(Path file, long offset) throws IOException {
        try (var channel = java.nio.channels.FileChannel.open(file, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer one = java.nio.ByteBuffer.allocate(1);
            channel.read(one, offset);
            one.flip();
            byte b = one.get();
            channel.write(java.nio.ByteBuffer.wrap(new byte[] {(byte) (b ^ 0x5a)}), offset);
        }
    }

    private Path copyOf(Path dir) throws IOException {
        Path copy = tmp.resolve("copy-" + System.nanoTime());
        Files.createDirectories(copy);
        for (Path f : SnapshotArchive.regularFiles(dir)) {
            Files.copy(f, copy.resolve(dir.relativize(f).toString()));
        }
        return copy;
    }
}
