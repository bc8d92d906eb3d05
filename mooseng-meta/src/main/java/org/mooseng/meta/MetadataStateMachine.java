package org.mooseng.meta;

import java.io.IOException;
import java.nio.file.Path;
import org.mooseng.proto.MetaOp;
import org.mooseng.proto.MetaResult;

/**
 * The replicated part of the master: a deterministic function from committed log records
 * to namespace state. The Raft adapter feeds it; log replay, the metalogger and offline
 * restore use the same code.
 */
public interface MetadataStateMachine extends AutoCloseable {
    /**
     * Applies one committed record. Deterministic: reads neither clock nor random source,
     * allocates ids from counters kept in the state. A rejected op (permission, ENOENT, …)
     * returns its status and changes nothing. The applied index is stored atomically with
     * the change, so after a crash {@link #lastAppliedIndex()} tells where replay resumes.
     */
    MetaResult apply(long index, MetaOp op);

    /** Index of the last applied record, 0 for an empty state. */
    long lastAppliedIndex();

    /** Writes a consistent checkpoint of the whole state into {@code dir} (which must not exist). */
    void checkpoint(Path dir) throws IOException;

    /** Replaces the whole state with the checkpoint in {@code dir}. */
    void restore(Path dir) throws IOException;

    @Override
    void close();
}
