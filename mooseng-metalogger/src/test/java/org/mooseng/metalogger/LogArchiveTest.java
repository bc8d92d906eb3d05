package org.mooseng.metalogger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The archived log: segment format, CRC checks, rolling, tail repair and retention. */
class LogArchiveTest {
    private static final long SMALL_SEGMENT_BYTES = 4 << 10;

    @TempDir
    Path tmp;

    @Test
    void recordsReadBackAcrossRolledSegments() throws IOException {
        List<LogRecord> written = records(1, 200);
        try (LogArchive log = LogArchive.open(tmp, SMALL_SEGMENT_BYTES)) {
            for (LogRecord r : written) {
                log.append(r);
            }
            log.sync();
            assertThat(log.lastIndex()).isEqualTo(written.getLast().index());
            assertThat(log.segmentCount()).isGreaterThan(3);
        }

        assertThat(readAll(tmp, 0)).containsExactlyElementsOf(written);
        // Every segment is named by, and starts with, its first record's index; none exceeds the size.
        for (long first : LogArchive.listSegments(tmp)) {
            Path file = LogArchive.segmentPath(tmp, first);
            assertThat(Files.size(file)).isLessThanOrEqualTo(SMALL_SEGMENT_BYTES);
            try (SegmentReader reader = SegmentReader.open(file)) {
                assertThat(reader.next()).map(LogRecord::index).contains(first);
            }
        }
    }

    @Test
    void scanFromAnIndexSkipsWhatComesBefore() throws IOException {
        List<LogRecord> written = records(1, 200);
        write(tmp, written);
        long after = written.get(150).index();

        assertThat(readAll(tmp, after)).containsExactlyElementsOf(written.subList(151, 200));
    }

    @Test
    void flippedByteIsReportedWithFileAndOffsetOfItsRecord() throws IOException {
        write(tmp, records(1, 200));
        long first = LogArchive.listSegments(tmp).get(1);
        Path file = LogArchive.segmentPath(tmp, first);
        long third;
        try (SegmentReader reader = SegmentReader.open(file)) {
            reader.next();
            reader.next();
            third = reader.offset();
        }
        RestoreTest.flipByte(file, third + SegmentFormat.RECORD_HEAD_BYTES + 2);

        assertThatThrownBy(() -> readAll(tmp, 0))
                .isInstanceOfSatisfying(ArchiveCorruptException.class, e -> {
                    assertThat(e.file()).isEqualTo(file);
                    assertThat(e.offset()).isEqualTo(third);
                    assertThat(e.reachesEnd()).isFalse();
                })
                .hasMessageContaining("CRC32C mismatch");
    }

    @Test
    void damagedSegmentHeaderIsReported() throws IOException {
        write(tmp, records(1, 50));
        Path file = LogArchive.segmentPath(tmp, LogArchive.listSegments(tmp).getFirst());
        RestoreTest.flipByte(file, 9);

        assertThatThrownBy(() -> readAll(tmp, 0)).isInstanceOf(ArchiveCorruptException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("bad segment header");
    }

    @Test
    void writeCutShortIsDroppedAtOpenAndAppendingGoesOn() throws IOException {
        List<LogRecord> written = records(1, 60);
        write(tmp, written);
        Path last = LogArchive.segmentPath(tmp, LogArchive.listSegments(tmp).getLast());
        long goodSize = Files.size(last);
        byte[] encoded = SegmentFormat.encode(records(written.getLast().index() + 1, 1).getFirst()).array();
        Files.write(last, java.util.Arrays.copyOf(encoded, encoded.length - 3), StandardOpenOption.APPEND);

        List<LogRecord> more = records(written.getLast().index() + 1, 30);
        try (LogArchive log = LogArchive.open(tmp, SMALL_SEGMENT_BYTES)) {
            assertThat(Files.size(last)).isEqualTo(goodSize);
            assertThat(log.lastIndex()).isEqualTo(written.getLast().index());
            for (LogRecord r : more) {
                log.append(r);
            }
            log.sync();
        }
        List<LogRecord> all = new ArrayList<>(written);
        all.addAll(more);
        assertThat(readAll(tmp, 0)).containsExactlyElementsOf(all);
    }

    @Test
    void segmentWithoutACompleteHeaderIsRemovedAtOpen() throws IOException {
        List<LogRecord> written = records(1, 20);
        write(tmp, written);
        Path partial = LogArchive.segmentPath(tmp, written.getLast().index() + 1);
        Files.write(partial, new byte[7]);

        try (LogArchive log = LogArchive.open(tmp, SMALL_SEGMENT_BYTES)) {
            assertThat(partial).doesNotExist();
            assertThat(log.lastIndex()).isEqualTo(written.getLast().index());
        }
    }

    @Test
    void appendingAnIndexAlreadyArchivedChangesNothing() throws IOException {
        List<LogRecord> written = records(1, 10);
        write(tmp, written);
        try (LogArchive log = LogArchive.open(tmp, SMALL_SEGMENT_BYTES)) {
            LogRecord again = written.get(5);
            log.append(new LogRecord(again.index(), again.prevIndex(), 1, 1, "different".getBytes(StandardCharsets.UTF_8)));
            log.sync();
            assertThat(log.lastIndex()).isEqualTo(written.getLast().index());
        }
        assertThat(readAll(tmp, 0)).containsExactlyElementsOf(written);
    }

    @Test
    void snapshotsBeyondTheKeptNumberAndTheLogBeforeTheOldestKeptAreDeleted() throws IOException {
        List<OpScript.Entry> script = OpScript.generate(7, 400);
        List<Long> snapshotIndexes = new ArrayList<>();
        try (ArchivedNamespace ns = new ArchivedNamespace(tmp, SMALL_SEGMENT_BYTES, 2)) {
            for (int part = 0; part < 4; part++) {
                ns.apply(script.subList(part * 100, part * 100 + 100));
                snapshotIndexes.add(ns.snapshot().index());
            }
            assertThat(ns.archive.snapshotCount()).isEqualTo(2);
            assertThat(ns.archive.lastSnapshotIndex()).isEqualTo(snapshotIndexes.getLast());
        }
        SnapshotArchive snapshots = new SnapshotArchive(tmp.resolve("snapshots"));
        assertThat(snapshots.indices()).containsExactlyElementsOf(snapshotIndexes.subList(2, 4));
        long oldestKept = snapshotIndexes.get(2);
        List<Long> segments = LogArchive.listSegments(tmp.resolve("log"));
        // Every segment left holds something after the oldest kept snapshot...
        for (int i = 0; i + 1 < segments.size(); i++) {
            assertThat(segments.get(i + 1)).isGreaterThan(oldestKept + 1);
        }
        // ...and the first one still reaches back to it, so a replay from it finds every record.
        assertThat(segments.getFirst()).isLessThanOrEqualTo(oldestKept + 1);
        List<LogRecord> replayed = readAll(tmp.resolve("log"), oldestKept);
        assertThat(replayed).map(LogRecord::index).containsExactlyElementsOf(
                script.stream().map(OpScript.Entry::index).filter(i -> i > oldestKept).toList());
        assertThat(snapshots.verify(oldestKept).clusterId()).isEqualTo(OpScript.CLUSTER_ID);
    }

    @Test
    void manifestRoundTripsAndDetectsEditing() {
        SnapshotManifest manifest = new SnapshotManifest(77, Optional.of(java.time.Instant.ofEpochSecond(5, 6)),
                "cluster one", List.of(new SnapshotManifest.FileEntry("store/000001.sst", 123, 0xdeadbeef)));
        String text = manifest.render();

        assertThat(SnapshotManifest.parse(text)).isEqualTo(manifest);
        assertThatThrownBy(() -> SnapshotManifest.parse(text.replace(" 123 ", " 124 ")))
                .hasMessageContaining("CRC32C mismatch");
        assertThatThrownBy(() -> SnapshotManifest.parse(text.substring(0, text.length() - 4)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------------ helpers

    /** Records with holes in their indexes (as configuration entries leave) and varied sizes. */
    static List<LogRecord> records(long firstIndex, int count) {
        List<LogRecord> out = new ArrayList<>();
        long index = firstIndex;
        long prev = firstIndex - 1;
        for (int i = 0; i < count; i++) {
            byte[] op = ("op " + index + " " + "x".repeat((int) (index * 37 % 200))).getBytes(StandardCharsets.UTF_8);
            out.add(new LogRecord(index, prev, 1_700_000_000L + index, (int) (index * 1000 % 1_000_000_000), op));
            prev = index;
            index += index % 7 == 0 ? 2 : 1;
        }
        return out;
    }

    private static void write(Path dir, List<LogRecord> records) throws IOException {
        try (LogArchive log = LogArchive.open(dir, SMALL_SEGMENT_BYTES)) {
            for (LogRecord r : records) {
                log.append(r);
            }
            log.sync();
        }
    }

    static List<LogRecord> readAll(Path dir, long after) throws IOException {
        List<LogRecord> out = new ArrayList<>();
        try (LogScanner scanner = new LogScanner(dir, after)) {
            for (Optional<LogRecord> r = scanner.next(); r.isPresent(); r = scanner.next()) {
                out.add(r.get());
            }
            assertThat(scanner.tornTail()).isEmpty();
        }
        return out;
    }
}
