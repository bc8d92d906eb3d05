package org.mooseng.metalogger;

import java.util.List;
import org.mooseng.common.config.ConfigKey;
import org.mooseng.common.config.ConfigSchema;

/** Every configuration key of the metalogger role, each declared once. */
public final class MetaloggerConfig {
    /** Default Raft port of a metalogger (the masters' is 9419). */
    public static final int DEFAULT_RAFT_PORT = 9426;
    /** Default port of the HTTP status endpoint ({@code /status} JSON, {@code /metrics}). */
    public static final int DEFAULT_STATUS_PORT = 9427;

    public static final ConfigKey<String> DATA_DIR = ConfigKey.string("DATA_DIR", "/var/lib/mooseng/metalogger",
            "Directory of this metalogger's state: the archive that 'mooseng restore' reads (log/ segments\n"
                    + "and snapshots/), its own copy of the namespace (store/) and its Raft files (raft/).\n"
                    + "Put it on another machine's disk than the masters'.");

    public static final ConfigKey<String> LISTEN_HOST = ConfigKey.string("LISTEN_HOST", "127.0.0.1",
            "Address the Raft and status ports bind to (0.0.0.0 = every interface).");

    public static final ConfigKey<String> ADVERTISE_HOST = ConfigKey.string("ADVERTISE_HOST", "",
            "Address the masters use to reach this metalogger; with RAFT_PORT it is the metalogger's\n"
                    + "identity in the master group (a learner). Empty = LISTEN_HOST.");

    public static final ConfigKey<Long> RAFT_PORT = ConfigKey.integer("RAFT_PORT", DEFAULT_RAFT_PORT, 0, 65535,
            "port",
            "TCP port where the leader sends this metalogger the metadata log (Raft). 0 picks a free port\n"
                    + "at the first start and keeps it (DATA_DIR/raft-port): the address is the learner's identity.");

    public static final ConfigKey<String> MASTER_PEERS = ConfigKey.string("MASTER_PEERS", "",
            "The masters' Raft addresses, comma-separated host:raftPort (the masters' own MASTER_PEERS,\n"
                    + "e.g. m1:9419,m2:9419,m3:9419). Required. The metalogger asks their leader to add it as a\n"
                    + "non-voting learner, retrying until one answers; any reachable member will do.");

    public static final ConfigKey<Long> STATUS_PORT = ConfigKey.integer("STATUS_PORT", DEFAULT_STATUS_PORT, 0,
            65535, "port",
            "TCP port of the HTTP status endpoint: GET /status (JSON: applied index, last apply time,\n"
                    + "last snapshot, segments, leader) and GET /metrics (Prometheus text). 0 picks a free port.");

    public static final ConfigKey<Long> SNAPSHOT_INTERVAL_S = ConfigKey.integer("SNAPSHOT_INTERVAL_S", 3600, 10,
            7 * 24 * 3600L, "seconds",
            "How often the namespace copy is checkpointed into the archive (snapshots/<index>/, with\n"
                    + "CRC32C of every file). A restore replays the log from the newest good snapshot, so\n"
                    + "shorter = faster restores, more disk writes.");

    public static final ConfigKey<Long> SNAPSHOTS_KEPT = ConfigKey.integer("SNAPSHOTS_KEPT", 3, 1, 1000,
            "snapshots",
            "Archive snapshots kept; log segments older than the oldest kept snapshot are deleted. Keep\n"
                    + "at least 2 so that a damaged newest snapshot can be replaced by the previous one plus log.");

    public static final ConfigKey<Long> MIN_FREE_BYTES = ConfigKey.bytes("MIN_FREE_BYTES", 64L << 20, 0,
            Long.MAX_VALUE,
            "Free space the data directory must keep. Below it the metalogger stops following the log\n"
                    + "(status FAILED, with the reason) rather than archive what it may not be able to\n"
                    + "persist; restart it once there is room and it catches up. 0 = stop only when a write\n"
                    + "actually fails.");

    public static final ConfigKey<Long> SEGMENT_BYTES = ConfigKey.bytes("SEGMENT_BYTES", 64L << 20, 1L << 20,
            1L << 30,
            "Size at which the archive starts a new log segment (log/<first-index>.seg).");

    public static final ConfigKey<Long> METADATA_CACHE_ENTRIES = ConfigKey.integer("METADATA_CACHE_ENTRIES",
            100_000, 1_000, 1_000_000_000L, "entries",
            "Inodes and directory entries cached in heap in front of the namespace copy. The metalogger\n"
                    + "only applies changes, so a small cache is enough.");

    public static final ConfigSchema SCHEMA = new ConfigSchema("metalogger", List.of(
            DATA_DIR, LISTEN_HOST, ADVERTISE_HOST, RAFT_PORT, MASTER_PEERS, STATUS_PORT, SNAPSHOT_INTERVAL_S,
            SNAPSHOTS_KEPT, SEGMENT_BYTES, METADATA_CACHE_ENTRIES, MIN_FREE_BYTES));

    private MetaloggerConfig() {
    }
}
