package org.mooseng.client;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.mooseng.common.InodeId;
import org.mooseng.common.Layout;
import org.mooseng.common.Status;
import org.mooseng.proto.Credentials;
import org.mooseng.proto.ReadChunkReply;
import org.mooseng.proto.ReadChunkRequest;
import org.mooseng.protocol.data.DataFrame;

/**
 * Reads file ranges from chunk servers. Every frame of a read is in flight at once; each
 * frame tries the replicas in the master's order (nearest first) and moves on after a
 * connection error, an Error reply or a CRC mismatch. When every replica of a chunk failed,
 * the master is asked for fresh locations once; after that the read fails with EIO.
 */
final class ChunkReader {
    private final MasterConnection master;
    private final ChunkServerTransport transport;
    private final Credentials credentials;
    private final long dataTimeoutMs;

    ChunkReader(MasterConnection master, ChunkServerTransport transport, Credentials credentials, long dataTimeoutMs) {
        this.master = master;
        this.transport = transport;
        this.credentials = credentials;
        this.dataTimeoutMs = dataTimeoutMs;
    }

    /** Fills dst from position on; returns the bytes read, or -1 when position is at or past the end. */
    int read(InodeId inode, String subject, long position, ByteBuffer dst) throws MoosengException {
        return read(inode, subject, position, dst, null);
    }

    /**
     * As {@link #read(InodeId, String, long, ByteBuffer)}, taking chunk locations (and the file
     * size) from {@code cache} while they are fresh, and putting what the master answers there.
     */
    int read(InodeId inode, String subject, long position, ByteBuffer dst, LocationCache cache)
            throws MoosengException {
        if (position < 0) {
            throw new MoosengException(Status.EINVAL, subject, "negative position " + position);
        }
        if (!dst.hasRemaining()) {
            return 0;
        }
        long firstIndex = position / Layout.CHUNK_SIZE_BYTES;
        ReadChunkReply first = located(inode, subject, firstIndex, cache);
        long fileSize = first.getFileSize();
        if (position >= fileSize) {
            return -1;
        }
        int length = (int) Math.min(dst.remaining(), fileSize - position);
        int base = dst.position();
        List<ChunkSpan> spans = ChunkSpan.split(position, length);
        List<ReadChunkReply> locations = new ArrayList<>();
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (ChunkSpan span : spans) {
            ReadChunkReply location = span.chunkIndex() == firstIndex ? first
                    : located(inode, subject, span.chunkIndex(), cache);
            locations.add(location);
            pending.add(readSpan(location, span, dst, base));
        }
        for (int i = 0; i < spans.size(); i++) {
            try {
                pending.get(i).join();
            } catch (CompletionException firstAttempt) {
                // Every replica failed: the master may know of newer or other copies by now.
                ReadChunkReply fresh = locate(inode, subject, spans.get(i).chunkIndex(), cache);
                try {
                    readSpan(fresh, spans.get(i), dst, base).join();
                } catch (CompletionException secondAttempt) {
                    throw new MoosengException(Status.EIO, subject, "chunk " + spans.get(i).chunkIndex()
                            + ": no replica could be read: " + secondAttempt.getCause().getMessage());
                }
            }
        }
        dst.position(base + length);
        return length;
    }

    private ReadChunkReply located(InodeId inode, String subject, long chunkIndex, LocationCache cache)
            throws MoosengException {
        ReadChunkReply known = cache == null ? null : cache.get(chunkIndex);
        return known != null ? known : locate(inode, subject, chunkIndex, cache);
    }

    /** Asks the master, and keeps its answer in {@code cache} (when given). */
    private ReadChunkReply locate(InodeId inode, String subject, long chunkIndex, LocationCache cache)
            throws MoosengException {
        if (cache == null) {
            return locate(inode, subject, chunkIndex);
        }
        long generation = cache.generation();
        ReadChunkReply reply = locate(inode, subject, chunkIndex);
        cache.put(chunkIndex, reply, generation);
        return reply;
    }

    private ReadChunkReply locate(InodeId inode, String subject, long chunkIndex) throws MoosengException {
        ReadChunkRequest request = ReadChunkRequest.newBuilder().setCred(credentials).setInode(inode.value())
                .setChunkIndex(chunkIndex).build();
        ReadChunkReply reply = master.call(subject, s -> s.readChunk(request));
        MoosengException.check(reply.getStatus(), subject, reply.getMessage());
        return reply;
    }

    private CompletableFuture<Void> readSpan(ReadChunkReply location, ChunkSpan span, ByteBuffer dst, int base) {
        if (location.getChunk().getChunkId() == 0) {
            fillZeros(dst, base + span.bufferOffset(), span.length());
            return CompletableFuture.completedFuture(null);
        }
        List<CompletableFuture<Void>> frames = new ArrayList<>();
        for (ChunkSpan piece : span.frames(DataFrame.MAX_DATA_BYTES)) {
            frames.add(readPiece(location, piece, dst, base, 0, null));
        }
        return CompletableFuture.allOf(frames.toArray(CompletableFuture[]::new));
    }

    private CompletableFuture<Void> readPiece(ReadChunkReply location, ChunkSpan piece, ByteBuffer dst, int base,
                                              int replica, String lastFailure) {
        if (replica >= location.getReplicasCount()) {
            return CompletableFuture.failedFuture(new MoosengException(Status.EIO, "chunk "
                    + location.getChunk().getChunkId(), lastFailure == null ? "no valid replica" : lastFailure));
        }
        var server = location.getReplicas(replica);
        DataFrame.Address address = DataFrames.address(server);
        long chunkId = location.getChunk().getChunkId();
        int version = location.getChunk().getVersion();
        // A copy that missed only the last raise of the version holds its data: the master says
        // how far below the version the listed copies may be.
        int oldest = location.getOldestVersion() == 0 ? version : location.getOldestVersion();
        return DataFrames.read(transport, address,
                        id -> new DataFrame.Read(id, chunkId, version, oldest, piece.offsetInChunk(), piece.length()),
                        dataTimeoutMs)
                .handle((reply, error) -> {
                    DataFrames.Failure failure = error != null ? DataFrames.Failure.of(error)
                            : accept(reply, piece, dst, base);
                    return failure == null ? CompletableFuture.<Void>completedFuture(null)
                            : readPiece(location, piece, dst, base, replica + 1, failure.describe(address.toString()));
                })
                .thenCompose(next -> next);
    }

    /** Copies a good reply into place; returns why the reply is unusable otherwise. */
    private static DataFrames.Failure accept(DataFrame reply, ChunkSpan piece, ByteBuffer dst, int base) {
        return switch (reply) {
            case DataFrame.Data d -> {
                try {
                    ByteBuf data = d.data();
                    if (DataFrames.crc32c(data) != d.crc32c()) {
                        yield new DataFrames.Failure(Status.CHECKSUM_MISMATCH, "data frame CRC", "", false);
                    }
                    int n = Math.min(data.readableBytes(), piece.length());
                    ByteBuffer target = dst.duplicate();
                    target.limit(base + piece.bufferOffset() + n).position(base + piece.bufferOffset());
                    data.getBytes(data.readerIndex(), target);
                    // A chunk that was never written up to the file's size reads as zeros there.
                    fillZeros(dst, base + piece.bufferOffset() + n, piece.length() - n);
                    yield null;
                } finally {
                    d.data().release();
                }
            }
            case DataFrame.Error e -> DataFrames.Failure.of(e);
            case DataFrame.Ok _, DataFrame.Hello _, DataFrame.Read _, DataFrame.Write _, DataFrame.Truncate _,
                 DataFrame.Sync _ -> {
                DataFrames.release(reply);
                yield DataFrames.Failure.unexpected(reply);
            }
        };
    }

    private static final byte[] ZEROS = new byte[Layout.BLOCK_SIZE_BYTES];

    private static void fillZeros(ByteBuffer dst, int index, int length) {
        for (int done = 0; done < length; done += ZEROS.length) {
            dst.put(index + done, ZEROS, 0, Math.min(ZEROS.length, length - done));
        }
    }
}
