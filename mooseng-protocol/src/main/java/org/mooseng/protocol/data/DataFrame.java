package org.mooseng.protocol.data;

import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * Frames of the data plane (clients and chunk servers, port 9422), a lean binary protocol
 * on TCP. Every frame is
 *
 * <pre>
 *   u32 length      bytes that follow this field
 *   u8  type        one of the TYPE_* codes below
 *   u64 requestId   chosen by the sender of a request; echoed by its reply
 *   ... body        per type, big-endian
 * </pre>
 *
 * The first frame on every connection is {@link Hello}; a server answers {@link Ok} or
 * {@link Error} (WRONG_CLUSTER) and closes. Requests on one connection may be pipelined;
 * replies carry the request's id. Frames that carry bytes hold a retained {@link ByteBuf}
 * that the receiver must release.
 */
public sealed interface DataFrame {
    byte TYPE_HELLO = 1;
    byte TYPE_READ = 2;
    byte TYPE_WRITE = 3;
    byte TYPE_TRUNCATE = 4;
    byte TYPE_OK = 5;
    byte TYPE_DATA = 6;
    byte TYPE_ERROR = 7;
    byte TYPE_SYNC = 8;
    byte TYPE_OK_DURABLE = 9;

    /** Largest frame accepted: one whole chunk-sized write plus headers would be too big; writes are split. */
    int MAX_FRAME_BYTES = 8 << 20;
    /** Largest payload of one WRITE or DATA frame. */
    int MAX_DATA_BYTES = 4 << 20;

    long requestId();

    /** Body: u16 length + UTF-8 cluster id. */
    record Hello(long requestId, String clusterId) implements DataFrame {
    }

    /**
     * Body: u64 chunkId, u32 version, u32 oldestVersion, u32 offset, u32 length. Served from a
     * copy whose version is from oldestVersion to version (unsigned; the master names the range:
     * a copy that missed only the last raise of the version holds its data); ESTALE otherwise.
     * Reply: {@link Data} or {@link Error}.
     */
    record Read(long requestId, long chunkId, int version, int oldestVersion, int offset, int length)
            implements DataFrame {
        /** A read of exactly {@code version}. */
        public Read(long requestId, long chunkId, int version, int offset, int length) {
            this(requestId, chunkId, version, version, offset, length);
        }
    }

    /**
     * Body: u64 chunkId, u32 version, u32 previousVersion, u32 offset, chain, u32 crc32c of
     * data, u32 data length, data. previousVersion is the write lease's base version, the
     * lowest version a chain member may hold. The receiver stores the data (creating the chunk
     * when it has none and the base is 0; otherwise taking a copy whose version is between the
     * base and version, and raising it to version; ESTALE for a newer copy, EIO for one older
     * than the base), forwards the frame to chain[0] with the rest of the chain, and replies
     * {@link Ok} once its own copy holds the data and the downstream replied Ok. The data is in
     * the receiver's page cache then, not yet on disk: a {@link Sync} of the chunk makes it
     * durable. A write that creates the replica is the exception: it is on disk, with its
     * directory entry, when acknowledged.
     */
    record Write(long requestId, long chunkId, int version, int previousVersion, int offset,
                 List<Address> chain, int crc32c, ByteBuf data) implements DataFrame {
    }

    /** Body: u64 chunkId, u32 version, u32 previousVersion, u32 length, chain. Forwarded like Write. */
    record Truncate(long requestId, long chunkId, int version, int previousVersion, int length,
                    List<Address> chain) implements DataFrame {
    }

    /**
     * Body: u64 chunkId, u32 version, u32 previousVersion, chain. Ordered after the chunk's
     * earlier writes and truncates on every server, like them: the receiver takes a copy
     * between previousVersion and version as a write does (raising it to version), forces
     * every write it applied to the chunk to disk, forwards the frame down the chain, and
     * replies {@link Ok} once its copy is on disk and the downstream replied Ok. ENOENT when
     * it holds no copy.
     */
    record Sync(long requestId, long chunkId, int version, int previousVersion, List<Address> chain)
            implements DataFrame {
    }

    /**
     * No body. Sent as TYPE_OK_DURABLE when {@code durable}: the update is on disk on the
     * sender and on every server after it in the chain (a write that created the replicas, a
     * truncate, a sync), so the writer owes it no {@link Sync}.
     */
    record Ok(long requestId, boolean durable) implements DataFrame {
        /** An Ok that says nothing about the disk. */
        public Ok(long requestId) {
            this(requestId, false);
        }
    }

    /** Body: u32 crc32c of data, u32 length, data. */
    record Data(long requestId, int crc32c, ByteBuf data) implements DataFrame {
    }

    /**
     * Body: i32 status (org.mooseng.common.Status code), u16 length + UTF-8 message, u16
     * length + UTF-8 failedServer: the "host:port" of the replica in the chain that failed
     * (the sender itself or one downstream), empty when no single replica is to blame.
     */
    record Error(long requestId, int status, String message, String failedServer) implements DataFrame {
    }

    /** A chunk server's data-plane address. Encoded as u16 length + UTF-8 host, u16 port. */
    record Address(String host, int port) {
        @Override
        public String toString() {
            return host + ":" + port;
        }
    }
}
