package org.mooseng.common;

/** Fixed sizes of the data layout, shared by every role. */
public final class Layout {
    /** A chunk covers this many bytes of a file. */
    public static final long CHUNK_SIZE_BYTES = 64L << 20;
    /** Each block of a chunk has its own CRC32C. */
    public static final int BLOCK_SIZE_BYTES = 64 << 10;
    public static final int BLOCKS_PER_CHUNK = (int) (CHUNK_SIZE_BYTES / BLOCK_SIZE_BYTES);
    /** Longest name of a directory entry, in UTF-8 bytes, as on Linux. */
    public static final int MAX_NAME_BYTES = 255;
    /** Longest symlink target, in bytes, as on Linux (PATH_MAX). */
    public static final int MAX_SYMLINK_BYTES = 4096;
    /** gRPC metadata header carrying the cluster id on every control-plane call. */
    public static final String CLUSTER_ID_HEADER = "mooseng-cluster-id";

    public static final int DEFAULT_MASTER_RAFT_PORT = 9419;
    public static final int DEFAULT_MASTER_CHUNKSERVER_PORT = 9420;
    public static final int DEFAULT_MASTER_CLIENT_PORT = 9421;
    public static final int DEFAULT_CHUNKSERVER_DATA_PORT = 9422;
    public static final int DEFAULT_MASTER_CLIENT_RPC_PORT = 9423;
    public static final int DEFAULT_MASTER_HTTP_PORT = 9425;

    private Layout() {
    }
}
