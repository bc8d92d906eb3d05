package org.mooseng.meta;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.mooseng.proto.AttrReply;
import org.mooseng.proto.ChunkRef;
import org.mooseng.proto.Credentials;
import org.mooseng.proto.GetXattrReply;
import org.mooseng.proto.ListXattrReply;
import org.mooseng.proto.ReadDirReply;
import org.mooseng.proto.ReadLinkReply;
import org.mooseng.proto.StatusReply;

/** Read-only queries on the applied state. Safe to call concurrently with {@code apply}. */
public interface NamespaceReader {
    AttrReply lookup(Credentials cred, long parent, String name);

    AttrReply getAttr(long inode);

    /**
     * The attributes of a file the caller may open with these FileOpenOp flags (the check a
     * FileOpenOp makes), in one read; the error the open would get otherwise.
     */
    AttrReply openableAttr(Credentials cred, long inode, int openFlags);

    /** access(2): mask of R_OK=4, W_OK=2, X_OK=1; 0 checks existence. */
    StatusReply access(Credentials cred, long inode, int mask);

    /** Entries after {@code cookie} (0 = from the start), at most {@code maxEntries}. */
    ReadDirReply readDir(Credentials cred, long inode, long cookie, int maxEntries);

    /** As {@link #readDir}, the entries as packed records in {@code packed_entries} (see ReadDirReply). */
    ReadDirReply readDirPacked(Credentials cred, long inode, long cookie, int maxEntries);

    ReadLinkReply readLink(long inode);

    GetXattrReply getXattr(Credentials cred, long inode, String name);

    ListXattrReply listXattr(Credentials cred, long inode);

    /** The chunk at {@code chunkIndex} of a regular file; empty for a hole. */
    Optional<ChunkRef> chunkAt(long inode, long chunkIndex);

    /** All chunks of a regular file, in index order. */
    List<ChunkRef> chunksOf(long inode);

    /** Every chunk of the namespace with the goal of its file. */
    void forEachChunk(Consumer<ChunkRecord> action);

    /**
     * The chunk with its current version, owning file and that file's goal; empty when no
     * file refers to it (released, orphan or never allocated). A point lookup, so callers
     * need not keep versions of their own.
     */
    Optional<ChunkRecord> chunk(long chunkId);

    /** Whether any file refers to this chunk. */
    boolean chunkExists(long chunkId);

    /** Chunk ids below this were allocated by this cluster (used to tell orphans from strangers). */
    long nextChunkId();

    NamespaceStats stats();

    /** The cluster id fixed by the FormatOp; empty before formatting. */
    Optional<String> clusterId();

    /** A chunk, what owns it, and the record of the last raise of its version. */
    record ChunkRecord(long chunkId, int version, long inode, long chunkIndex, int goal, ChunkRaise raise) {
        public ChunkRecord(long chunkId, int version, long inode, long chunkIndex, int goal) {
            this(chunkId, version, inode, chunkIndex, goal, ChunkRaise.NONE);
        }
    }

    record NamespaceStats(long inodes, long files, long directories, long chunks, long totalFileBytes) {
    }
}
