package org.mooseng.cli.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mooseng.chunkserver.ChunkServerConfig;
import org.mooseng.cli.Role;
import org.mooseng.common.config.ConfigKey;
import org.mooseng.common.config.ConfigSchema;
import org.mooseng.master.MasterConfig;
import org.mooseng.metalogger.MetaloggerConfig;

/**
 * Writes the configuration files of a local cluster: only the keys a local cluster must
 * set (directories, loopback addresses, ports); everything else keeps its default, so the
 * files stay short and 'mooseng config sample ROLE' documents the rest.
 */
public final class LocalConfigs {
    static final String LOOPBACK = "127.0.0.1";

    private LocalConfigs() {
    }

    /** Master {@code index} of a group of {@code masters}: every member listed in MASTER_PEERS. */
    public static Map<String, String> master(LocalLayout layout, PortPlan ports, int index, int masters) {
        Instance master = new Instance(Role.MASTER, index);
        Map<String, String> values = new LinkedHashMap<>();
        put(values, MasterConfig.DATA_DIR, layout.dataDir(master).toString());
        put(values, MasterConfig.LISTEN_HOST, LOOPBACK);
        put(values, MasterConfig.ADVERTISE_HOST, LOOPBACK);
        put(values, MasterConfig.RAFT_PORT, ports.masterRaft(index));
        put(values, MasterConfig.CHUNKSERVER_PORT, ports.masterChunkServer(index));
        put(values, MasterConfig.CLIENT_PORT, ports.masterClient(index));
        if (masters > 1) {
            List<String> peers = new ArrayList<>();
            for (int m = 1; m <= masters; m++) {
                peers.add(LOOPBACK + ":" + ports.masterRaft(m));
            }
            put(values, MasterConfig.MASTER_PEERS, String.join(",", peers));
        }
        assignOtherPorts(Role.MASTER.schema(), values, ports.masterOtherPorts(index));
        return values;
    }

    /** Chunk server {@code index}, reporting to every one of {@code masters} masters. */
    public static Map<String, String> chunkServer(LocalLayout layout, PortPlan ports, int index, int masters) {
        Instance chunkServer = new Instance(Role.CHUNKSERVER, index);
        Map<String, String> values = new LinkedHashMap<>();
        put(values, ChunkServerConfig.DATA_DIR, layout.dataDir(chunkServer).toString());
        put(values, ChunkServerConfig.LISTEN_HOST, LOOPBACK);
        put(values, ChunkServerConfig.ADVERTISE_HOST, LOOPBACK);
        put(values, ChunkServerConfig.DATA_PORT, ports.chunkServerData(index));
        List<String> masterPorts = new ArrayList<>();
        for (int m = 1; m <= masters; m++) {
            masterPorts.add(LOOPBACK + ":" + ports.masterChunkServer(m));
        }
        put(values, ChunkServerConfig.MASTERS, String.join(",", masterPorts));
        assignOtherPorts(Role.CHUNKSERVER.schema(), values, ports.chunkServerData(index) + 1);
        return values;
    }

    /** Metalogger {@code index}, a learner of the group of {@code masters} masters. */
    public static Map<String, String> metalogger(LocalLayout layout, PortPlan ports, int index, int masters) {
        Instance metalogger = new Instance(Role.METALOGGER, index);
        Map<String, String> values = new LinkedHashMap<>();
        put(values, MetaloggerConfig.DATA_DIR, layout.dataDir(metalogger).toString());
        put(values, MetaloggerConfig.LISTEN_HOST, LOOPBACK);
        put(values, MetaloggerConfig.ADVERTISE_HOST, LOOPBACK);
        put(values, MetaloggerConfig.RAFT_PORT, ports.metaloggerRaft(index));
        put(values, MetaloggerConfig.STATUS_PORT, ports.metaloggerStatus(index));
        List<String> peers = new ArrayList<>();
        for (int m = 1; m <= masters; m++) {
            peers.add(LOOPBACK + ":" + ports.masterRaft(m));
        }
        put(values, MetaloggerConfig.MASTER_PEERS, String.join(",", peers));
        assignOtherPorts(Role.METALOGGER.schema(), values, ports.metaloggerOtherPorts(index));
        return values;
    }

    /** Writes {@code values} as a flat KEY = VALUE file (atomically) and checks it against the role's schema. */
    public static void write(Role role, Path file, Map<String, String> values) throws IOException {
        StringBuilder text = new StringBuilder()
                .append("# MooseNG ").append(role.command()).append(" of a local cluster, written by 'mooseng up'.\n")
                .append("# Keys not listed keep their defaults; see: mooseng config sample ").append(role.command())
                .append('\n');
        values.forEach((key, value) -> text.append(key).append(" = ").append(value).append('\n'));
        Files.createDirectories(file.getParent());
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temporary, text, StandardCharsets.UTF_8);
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        role.load(file);
    }

    private static void put(Map<String, String> values, ConfigKey<?> key, Object value) {
        values.put(key.name(), String.valueOf(value));
    }

    /**
     * Any other port key of the schema (a status page, metrics) would otherwise keep its fixed
     * default and collide between the daemons of one machine: give each the next number of
     * the daemon's own block of the port plan.
     */
    /** Port keys naming another daemon's port (the one-master shorthand of the chunk server). */
    private static boolean isAnotherDaemonsPort(ConfigKey<?> key) {
        return key == ChunkServerConfig.MASTER_PORT;
    }

    private static void assignOtherPorts(ConfigSchema schema, Map<String, String> values, int firstFreePort) {
        int next = firstFreePort;
        for (ConfigKey<?> key : schema.keys()) {
            if (key.name().endsWith("_PORT") && !values.containsKey(key.name()) && !isAnotherDaemonsPort(key)
                    && key.defaultValue() instanceof Long) {
                values.put(key.name(), String.valueOf(next++));
            }
        }
    }
}
