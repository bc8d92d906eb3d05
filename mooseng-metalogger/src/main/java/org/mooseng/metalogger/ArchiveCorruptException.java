package org.mooseng.metalogger;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Damage found in the archive: a segment record or header whose checksum or framing is wrong,
 * or a snapshot whose manifest or files do not verify. Names the file and, for segments, the
 * byte offset where the damaged part starts.
 */
public final class ArchiveCorruptException extends IOException {
    private final Path file;
    private final long offset;
    private final boolean reachesEnd;

    /**
     * @param reachesEnd whether nothing that could be a good record follows the damage: the
     *                   damaged record runs to (or past) the end of its file. At the end of the
     *                   newest segment that is a write cut short by a crash, not decay.
     */
    ArchiveCorruptException(Path file, long offset, boolean reachesEnd, String reason) {
        super(file + " at offset " + offset + ": " + reason);
        this.file = file;
        this.offset = offset;
        this.reachesEnd = reachesEnd;
    }

    ArchiveCorruptException(Path file, String reason) {
        super(file + ": " + reason);
        this.file = file;
        this.offset = -1;
        this.reachesEnd = false;
    }

    public Path file() {
        return file;
    }

    /** Byte offset of the damaged record in {@link #file()}; -1 when not about a position. */
    public long offset() {
        return offset;
    }

    public boolean reachesEnd() {
        return reachesEnd;
    }
}
