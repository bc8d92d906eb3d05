package org.mooseng.chunkserver;

import java.util.List;
import org.mooseng.chunkserver.master.MasterEndpoint;
import org.mooseng.common.config.Config;
import org.mooseng.common.Layout;
import org.mooseng.common.config.ConfigKey;
import org.mooseng.common.config.ConfigSchema;

/** Configuration keys of the chunk server role; {@link #SCHEMA} parses and documents them. */
public final class ChunkServerConfig {
    public static final ConfigKey<String> DATA_DIR = ConfigKey.string("DATA_DIR", "/var/lib/mooseng/chunkserver",
            "Directory holding the chunk files (chunks/), quarantined replicas (damaged/), the server id\n"
                    + "(server-id) and the adopted cluster id (cluster-id).");
    public static final ConfigKey<String> LISTEN_HOST = ConfigKey.string("LISTEN_HOST", "127.0.0.1",
            "Address the data-plane server binds to.");
    public static final ConfigKey<String> ADVERTISE_HOST = ConfigKey.string("ADVERTISE_HOST", "",
            "Host name or address clients and other chunk servers use to reach this server;\n"
                    + "empty means LISTEN_HOST.");
    public static final ConfigKey<Long> DATA_PORT = ConfigKey.integer("DATA_PORT",
            Layout.DEFAULT_CHUNKSERVER_DATA_PORT, 0, 65535, "port",
            "TCP port of the data plane (reads, writes, chain replication); 0 picks a free port.");
    public static final ConfigKey<String> MASTERS = ConfigKey.string("MASTERS", "",
            "The chunk-server port of every master of the group, as comma-separated host:port\n"
                    + "(e.g. m1:9420,m2:9420,m3:9420). This server registers and heartbeats with each of them,\n"
                    + "so a follower knows every replica the moment it becomes leader; only the leader orders\n"
                    + "deletions. Empty = the one master at MASTER_HOST:MASTER_PORT.");
    public static final ConfigKey<String> MASTER_HOST = ConfigKey.string("MASTER_HOST", "127.0.0.1",
            "Host of the master's chunk-server service when there is one master (MASTERS empty).");
    public static final ConfigKey<Long> MASTER_PORT = ConfigKey.integer("MASTER_PORT",
            Layout.DEFAULT_MASTER_CHUNKSERVER_PORT, 1, 65535, "port",
            "Port of the master's chunk-server service when there is one master (MASTERS empty).");
    public static final ConfigKey<Long> HEARTBEAT_INTERVAL_MS = ConfigKey.integer("HEARTBEAT_INTERVAL_MS", 1000,
            10, 60_000, "milliseconds",
            "Interval between heartbeats to each master; also the first retry interval while a master\n"
                    + "is unreachable.");
    public static final ConfigKey<Long> MASTER_RETRY_MAX_MS = ConfigKey.integer("MASTER_RETRY_MAX_MS", 2000,
            10, 600_000, "milliseconds",
            "Longest wait between attempts to reach a master that does not answer: the wait doubles\n"
                    + "from HEARTBEAT_INTERVAL_MS up to this. Each master is tried on its own, so one that is\n"
                    + "down never delays the others.");
    public static final ConfigKey<Long> MASTER_TIMEOUT_MS = ConfigKey.integer("MASTER_TIMEOUT_MS", 5000,
            100, 600_000, "milliseconds", "Deadline of one Register or Heartbeat call to the master.");
    public static final ConfigKey<Long> DISK_THREADS = ConfigKey.integer("DISK_THREADS", 4, 1, 256, "threads",
            "Threads doing chunk file I/O (reads, writes, fsync), off the network event loop.");
    public static final ConfigKey<Long> NETWORK_THREADS = ConfigKey.integer("NETWORK_THREADS", 2, 1, 256,
            "threads", "Event-loop threads of the data-plane server.");
    public static final ConfigKey<Long> DOWNSTREAM_CONNECTIONS = ConfigKey.integer("DOWNSTREAM_CONNECTIONS", 2, 1,
            64, "connections", "Connections kept to each chunk server this one forwards chain writes to; the writes\n"
                    + "of one chunk always go over the same one, in the order this server accepted them.");
    public static final ConfigKey<Long> FORWARD_TIMEOUT_MS = ConfigKey.integer("FORWARD_TIMEOUT_MS", 30_000, 100,
            600_000, "milliseconds",
            "How long a forwarded write or truncate may wait for the next server of the chain before\n"
                    + "that server is reported as failed.");

    public static final ConfigSchema SCHEMA = new ConfigSchema("chunkserver", List.of(DATA_DIR, LISTEN_HOST,
            ADVERTISE_HOST, DATA_PORT, MASTERS, MASTER_HOST, MASTER_PORT, HEARTBEAT_INTERVAL_MS, MASTER_RETRY_MAX_MS,
            MASTER_TIMEOUT_MS,
            DISK_THREADS, NETWORK_THREADS, DOWNSTREAM_CONNECTIONS, FORWARD_TIMEOUT_MS));

    /**
     * The masters this server reports to: MASTERS, or MASTER_HOST:MASTER_PORT when MASTERS is
     * empty. Setting MASTERS together with a non-default MASTER_HOST or MASTER_PORT is refused,
     * since one of them would be silently ignored.
     */
    public static List<MasterEndpoint> masters(Config config) {
        String list = config.get(MASTERS);
        if (list.isBlank()) {
            return List.of(new MasterEndpoint(config.get(MASTER_HOST), config.get(MASTER_PORT).intValue()));
        }
        if (!config.get(MASTER_HOST).equals(MASTER_HOST.defaultValue())
                || !config.get(MASTER_PORT).equals(MASTER_PORT.defaultValue())) {
            throw new IllegalArgumentException("MASTERS is set: leave MASTER_HOST and MASTER_PORT out (they are the"
                    + " one-master shorthand)");
        }
        try {
            return MasterEndpoint.parseList(list);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("MASTERS: " + e.getMessage(), e);
        }
    }

    private ChunkServerConfig() {
    }
}
