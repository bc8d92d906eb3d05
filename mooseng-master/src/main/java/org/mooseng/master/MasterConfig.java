package org.mooseng.master;

import java.util.List;
import org.mooseng.common.Layout;
import org.mooseng.common.config.ConfigKey;
import org.mooseng.common.config.ConfigSchema;

/** Every configuration key of the master role, each declared once. */
public final class MasterConfig {
    public static final ConfigKey<String> DATA_DIR = ConfigKey.string("DATA_DIR", "/var/lib/mooseng/master",
            "Directory of this master's state: the cluster-id file written by 'format', the Raft log\n"
                    + "and snapshots (raft/), and the namespace store (meta/). Must be on a local disk.");

    public static final ConfigKey<String> LISTEN_HOST = ConfigKey.string("LISTEN_HOST", "127.0.0.1",
            "Address the client and chunk-server ports bind to (0.0.0.0 = every interface).");

    public static final ConfigKey<String> ADVERTISE_HOST = ConfigKey.string("ADVERTISE_HOST", "",
            "Address other masters, chunk servers and clients use to reach this master; it is this\n"
                    + "master's identity in MASTER_PEERS. Empty = LISTEN_HOST.");

    public static final ConfigKey<Long> RAFT_PORT = ConfigKey.integer("RAFT_PORT", Layout.DEFAULT_MASTER_RAFT_PORT,
            0, 65535, "port",
            "TCP port of the Raft protocol between masters. 0 picks a free port, which only makes\n"
                    + "sense for a group of one (peers must know each other's ports).");

    public static final ConfigKey<Long> CHUNKSERVER_PORT = ConfigKey.integer("CHUNKSERVER_PORT",
            Layout.DEFAULT_MASTER_CHUNKSERVER_PORT, 0, 65535, "port",
            "TCP port where chunk servers register and send heartbeats (gRPC). 0 picks a free port.");

    public static final ConfigKey<Long> CLIENT_PORT = ConfigKey.integer("CLIENT_PORT",
            Layout.DEFAULT_MASTER_CLIENT_PORT, 0, 65535, "port",
            "TCP port of the client service: namespace operations and chunk locations (gRPC).\n"
                    + "0 picks a free port (the leader's client address is then unknown to followers).\n"
                    + "See MASTER_PEERS for how followers name the leader's client address.");

    public static final ConfigKey<Long> CLIENT_RPC_PORT = ConfigKey.integer("CLIENT_RPC_PORT",
            Layout.DEFAULT_MASTER_CLIENT_RPC_PORT, 0, 65535, "port",
            "TCP port of the same client service over framed RPC (length-prefixed frames on plain TCP,\n"
                    + "no HTTP/2): cheaper per call. Clients ask the client port for it and then use it, so it\n"
                    + "must be reachable wherever the client port is. 0 picks a free port.");

    public static final ConfigKey<String> MASTER_PEERS = ConfigKey.string("MASTER_PEERS", "",
            "Every member of the master Raft group, this one included, as comma-separated\n"
                    + "host:raftPort (e.g. m1:9419,m2:9419,m3:9419). Empty = a group of one.\n"
                    + "Use 3 or 5 members to survive 1 or 2 failed masters. Read only while the Raft log is\n"
                    + "empty (first start); after that the membership recorded in the log counts, as changed\n"
                    + "by 'mooseng admin add-master / remove-master'. Members must keep the same distance\n"
                    + "between RAFT_PORT and CLIENT_PORT: a follower names the leader's client address as\n"
                    + "leader-host:(leader-raftPort + CLIENT_PORT - RAFT_PORT).");

    public static final ConfigKey<Boolean> MASTER_JOIN = ConfigKey.bool("MASTER_JOIN", false,
            "true = this master joins an existing group: it starts with no membership of its own, neither\n"
                    + "votes nor stands for election, and waits until the leader adds it with\n"
                    + "'mooseng admin add-master HOST:RAFT_PORT'; it then receives the namespace by snapshot.\n"
                    + "MASTER_PEERS is ignored. Format DATA_DIR with the group's cluster id first. Read only\n"
                    + "while the Raft log is empty.");

    public static final ConfigKey<Long> METADATA_CACHE_ENTRIES = ConfigKey.integer("METADATA_CACHE_ENTRIES",
            1_000_000, 1_000, 1_000_000_000L, "entries",
            "Inodes and directory entries kept in the in-heap cache in front of the namespace store,\n"
                    + "plus 32 bytes of directory listings per entry (a listing is kept whole or not at all).\n"
                    + "More entries = fewer disk reads, at roughly a few hundred bytes of heap each.");

    public static final ConfigKey<Long> DEFAULT_GOAL = ConfigKey.integer("DEFAULT_GOAL", 2, 1, 9, "copies",
            "Copies kept of each chunk of a file whose own goal is not set.");

    public static final ConfigKey<Long> CHUNKSERVER_TIMEOUT_MS = ConfigKey.integer("CHUNKSERVER_TIMEOUT_MS",
            10_000, 100, 3_600_000, "milliseconds",
            "A chunk server that sent no heartbeat for this long is dead: its replicas are neither\n"
                    + "served to readers nor chosen for writes until it registers again.");

    public static final ConfigKey<Long> SNAPSHOT_INTERVAL_S = ConfigKey.integer("SNAPSHOT_INTERVAL_S", 3600,
            10, 7 * 24 * 3600L, "seconds",
            "How often the namespace store is checkpointed into a Raft snapshot, after which the\n"
                    + "older part of the Raft log is dropped. Shorter = faster restarts, more disk writes.");

    public static final ConfigKey<Long> RAFT_ELECTION_TIMEOUT_MS = ConfigKey.integer("RAFT_ELECTION_TIMEOUT_MS",
            500, 100, 60_000, "milliseconds",
            "A follower that hears nothing from the leader for this long, plus a random delay of up to\n"
                    + "a quarter of it, starts an election; the leader sends a heartbeat every tenth of it.\n"
                    + "Failover takes about one and a half of these; too short causes needless elections on\n"
                    + "a loaded machine.");

    public static final ConfigKey<Long> MIN_FREE_BYTES = ConfigKey.bytes("MIN_FREE_BYTES", 64L << 20, 0,
            Long.MAX_VALUE,
            "Free space the data directory must keep. Below it the master steps down and stops voting\n"
                    + "rather than acknowledge changes it may not be able to persist; restart it once there is\n"
                    + "room. 0 = stop only when a write actually fails.");

    public static final ConfigKey<Long> DELETIONS_PER_HEARTBEAT = ConfigKey.integer("DELETIONS_PER_HEARTBEAT",
            1_000, 1, 1_000_000, "replicas",
            "Most replica deletions sent to one chunk server in one heartbeat reply, so a large cleanup\n"
                    + "is spread over time instead of stalling a chunk server.");

    public static final ConfigKey<Long> SESSION_LEASE_MS = ConfigKey.integer("SESSION_LEASE_MS", 30_000,
            200, 3_600_000, "milliseconds",
            "A client session (a mount) not renewed for this long expires: its open files are released\n"
                    + "(deleting unlinked ones) and its locks dropped. Clients renew at a third of it.");

    public static final ConfigKey<Long> SESSION_CHECK_INTERVAL_MS = ConfigKey.integer("SESSION_CHECK_INTERVAL_MS",
            1_000, 50, 60_000, "milliseconds",
            "How often the leader looks for sessions whose lease ran out.");

    public static final ConfigKey<Long> LOCK_RECLAIM_GRACE_MS = ConfigKey.integer("LOCK_RECLAIM_GRACE_MS", 15_000,
            0, 300_000, "milliseconds",
            "After a failover or restart the new leader holds no file lock (locks are not in the log).\n"
                    + "For up to this long it grants only locks clients give back (reclaim) and what their\n"
                    + "holders already have, so no one takes a lock whose holder has not reclaimed it yet; other\n"
                    + "lock requests get EAGAIN, and blocking ones wait. The period ends sooner once every\n"
                    + "session has said it has reclaimed, or has ended. A client that makes no call at all\n"
                    + "learns of the new leader at its next session renewal, every third of SESSION_LEASE_MS\n"
                    + "(10 s by default): keep this above that plus an election and the reclaim calls (15 s for\n"
                    + "the default lease); a session that never says it has reclaimed (a client killed or cut\n"
                    + "off) makes every new lock wait it out. Files without a name are not deleted during the\n"
                    + "period either: clients give back the read-only opens the old leader held in memory.\n"
                    + "0 = no grace period: locks of the old leader are lost on failover, and an unlinked file\n"
                    + "still being read may be deleted before its reader gives its open back.");

    public static final ConfigKey<Long> CHUNK_HEALTH_INTERVAL_MS = ConfigKey.integer("CHUNK_HEALTH_INTERVAL_MS",
            5_000, 100, 3_600_000, "milliseconds",
            "How often the leader walks every chunk to count those below their goal and those with no\n"
                    + "valid replica (shown by 'mooseng admin info'). Each walk reads the whole chunk table.");

    public static final ConfigSchema SCHEMA = new ConfigSchema("master", List.of(
            DATA_DIR, LISTEN_HOST, ADVERTISE_HOST, RAFT_PORT, CHUNKSERVER_PORT, CLIENT_PORT, CLIENT_RPC_PORT, MASTER_PEERS,
            MASTER_JOIN, METADATA_CACHE_ENTRIES, DEFAULT_GOAL, CHUNKSERVER_TIMEOUT_MS, SNAPSHOT_INTERVAL_S,
            RAFT_ELECTION_TIMEOUT_MS, MIN_FREE_BYTES, DELETIONS_PER_HEARTBEAT, SESSION_LEASE_MS, SESSION_CHECK_INTERVAL_MS,
            LOCK_RECLAIM_GRACE_MS, CHUNK_HEALTH_INTERVAL_MS));

    private MasterConfig() {
    }
}
