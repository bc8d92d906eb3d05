package org.mooseng.metalogger;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Reads the archived log in index order from a given point, across segments, verifying every
 * record. Read-only: used by restore and tests, never by the writing metalogger.
 */
final class LogScanner implements AutoCloseable {
    private final Path dir;
    private final List<Long> segments;
    private final long afterIndex;
    private int nextSegment;
    private SegmentReader reader;
    private long lastIndex;
    private String position = "";
    private Optional<ArchiveCorruptException> tornTail = Optional.empty();

    /** Records with an index above {@code afterIndex}, from the segments in {@code dir}. */
    LogScanner(Path dir, long afterIndex) throws IOException {
        this.dir = dir;
        this.segments = LogArchive.listSegments(dir);
        this.afterIndex = afterIndex;
        // Skip the segments that end before afterIndex: the next one starts at or below afterIndex + 1.
        int start = 0;
        while (start + 1 < segments.size() && segments.get(start + 1) <= afterIndex + 1) {
            start++;
        }
        this.nextSegment = start;
    }

    /**
     * The next record, or empty at the end of the archive. Damage is an
     * {@link ArchiveCorruptException}, except a record cut short at the very end of the newest
     * segment: that is a write a crash interrupted (it was never synced, so never acknowledged),
     * it ends the log, and {@link #tornTail()} reports it.
     */
    Optional<LogRecord> next() throws IOException {
        while (true) {
            if (reader == null) {
                if (nextSegment >= segments.size() || tornTail.isPresent()) {
                    return Optional.empty();
                }
                long first = segments.get(nextSegment++);
                if (first <= lastIndex) {
                    throw new ArchiveCorruptException(LogArchive.segmentPath(dir, first), 0, false,
                            "segment starts at index " + first + " but the previous one reached " + lastIndex);
                }
                try {
                    reader = SegmentReader.open(LogArchive.segmentPath(dir, first));
                } catch (ArchiveCorruptException e) {
                    if (endsArchive(e)) {
                        tornTail = Optional.of(e);
                        return Optional.empty();
                    }
                    throw e;
                }
            }
            Optional<LogRecord> record;
            String at = reader.file() + " at offset " + reader.offset();
            try {
                record = reader.next();
            } catch (ArchiveCorruptException e) {
                if (endsArchive(e)) {
                    tornTail = Optional.of(e);
                    closeReader();
                    return Optional.empty();
                }
                throw e;
            }
            if (record.isEmpty()) {
                closeReader();
                continue;
            }
            lastIndex = record.get().index();
            position = at;
            if (lastIndex > afterIndex) {
                return record;
            }
        }
    }

    private boolean endsArchive(ArchiveCorruptException e) {
        return e.reachesEnd() && nextSegment == segments.size();
    }

    /** The write cut short at the end of the archive, if the scan reached one. */
    Optional<ArchiveCorruptException> tornTail() {
        return tornTail;
    }

    /** File and offset of the last returned record, for messages. */
    String position() {
        return position;
    }

    private void closeReader() throws IOException {
        if (reader != null) {
            reader.close();
            reader = null;
        }
    }

    @Override
    public void close() throws IOException {
        closeReader();
    }
}
