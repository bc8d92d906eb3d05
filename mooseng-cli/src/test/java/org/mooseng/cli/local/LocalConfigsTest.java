package org.mooseng.cli.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.chunkserver.ChunkServerConfig;
import org.mooseng.chunkserver.master.MasterEndpoint;
import org.mooseng.cli.Role;
import org.mooseng.common.config.Config;
import org.mooseng.common.config.ConfigKey;
import org.mooseng.master.MasterConfig;
import org.mooseng.metalogger.MetaloggerConfig;

class LocalConfigsTest {

    @Test
    void writtenConfigsLoadBackWithThePlannedPortsAndDirectories(@TempDir Path dir) throws IOException {
        LocalLayout layout = new LocalLayout(dir);
        PortPlan ports = new PortPlan(20000);
        Instance master = new Instance(Role.MASTER, 1);
        Instance second = new Instance(Role.CHUNKSERVER, 2);

        LocalConfigs.write(Role.MASTER, layout.config(master), LocalConfigs.master(layout, ports, 1, 1));
        LocalConfigs.write(Role.CHUNKSERVER, layout.config(second), LocalConfigs.chunkServer(layout, ports, 2, 1));

        Config m = Role.MASTER.load(dir.resolve("etc/master-1.cfg"));
        assertThat(m.get(MasterConfig.RAFT_PORT)).isEqualTo(20000L);
        assertThat(m.get(MasterConfig.CHUNKSERVER_PORT)).isEqualTo(20001L);
        assertThat(m.get(MasterConfig.CLIENT_PORT)).isEqualTo(20002L);
        assertThat(m.get(MasterConfig.MASTER_PEERS)).as("a group of one").isEmpty();
        assertThat(m.get(MasterConfig.DATA_DIR)).isEqualTo(dir.resolve("data/master-1").toString());
        Config c = Role.CHUNKSERVER.load(dir.resolve("etc/chunkserver-2.cfg"));
        assertThat(c.get(ChunkServerConfig.DATA_PORT)).isEqualTo(20020L);
        assertThat(ChunkServerConfig.masters(c)).containsExactly(new MasterEndpoint("127.0.0.1", 20001));
        assertThat(c.get(ChunkServerConfig.DATA_DIR)).isEqualTo(dir.resolve("data/chunkserver-2").toString());
    }

    @Test
    void aGroupOfThreeListsEveryMasterInEachMastersPeersAndInEachChunkServersMasters(@TempDir Path dir)
            throws IOException {
        LocalLayout layout = new LocalLayout(dir);
        PortPlan ports = new PortPlan(20000);
        for (int k = 1; k <= 3; k++) {
            LocalConfigs.write(Role.MASTER, layout.config(new Instance(Role.MASTER, k)),
                    LocalConfigs.master(layout, ports, k, 3));
        }
        LocalConfigs.write(Role.CHUNKSERVER, layout.config(new Instance(Role.CHUNKSERVER, 1)),
                LocalConfigs.chunkServer(layout, ports, 1, 3));

        Config third = Role.MASTER.load(dir.resolve("etc/master-3.cfg"));
        assertThat(third.get(MasterConfig.RAFT_PORT)).isEqualTo(22000L);
        assertThat(third.get(MasterConfig.CHUNKSERVER_PORT)).isEqualTo(22001L);
        assertThat(third.get(MasterConfig.CLIENT_PORT)).isEqualTo(22002L);
        assertThat(third.get(MasterConfig.MASTER_PEERS)).isEqualTo("127.0.0.1:20000,127.0.0.1:21000,127.0.0.1:22000");
        assertThat(third.get(MasterConfig.DATA_DIR)).isEqualTo(dir.resolve("data/master-3").toString());
        Config chunkServer = Role.CHUNKSERVER.load(dir.resolve("etc/chunkserver-1.cfg"));
        assertThat(ChunkServerConfig.masters(chunkServer)).containsExactly(new MasterEndpoint("127.0.0.1", 20001),
                new MasterEndpoint("127.0.0.1", 21001), new MasterEndpoint("127.0.0.1", 22001));
        assertThat(layout.configuredInstances()).containsExactly(new Instance(Role.MASTER, 1),
                new Instance(Role.MASTER, 2), new Instance(Role.MASTER, 3), new Instance(Role.CHUNKSERVER, 1));
    }

    @Test
    void aMetaloggerIsALearnerOfEveryMasterWithItsPortsFromThePlan(@TempDir Path dir) throws IOException {
        LocalLayout layout = new LocalLayout(dir);
        PortPlan ports = new PortPlan(20000);
        LocalConfigs.write(Role.MASTER, layout.config(new Instance(Role.MASTER, 1)),
                LocalConfigs.master(layout, ports, 1, 3));
        LocalConfigs.write(Role.CHUNKSERVER, layout.config(new Instance(Role.CHUNKSERVER, 1)),
                LocalConfigs.chunkServer(layout, ports, 1, 3));
        Instance second = new Instance(Role.METALOGGER, 2);
        LocalConfigs.write(Role.METALOGGER, layout.config(second), LocalConfigs.metalogger(layout, ports, 2, 3));

        Config m = Role.METALOGGER.load(dir.resolve("etc/metalogger-2.cfg"));
        assertThat(m.get(MetaloggerConfig.RAFT_PORT)).isEqualTo(21007L);
        assertThat(m.get(MetaloggerConfig.STATUS_PORT)).isEqualTo(21008L);
        assertThat(m.get(MetaloggerConfig.MASTER_PEERS)).isEqualTo("127.0.0.1:20000,127.0.0.1:21000,127.0.0.1:22000");
        assertThat(m.get(MetaloggerConfig.DATA_DIR)).isEqualTo(dir.resolve("data/metalogger-2").toString());
        assertThat(m.get(MetaloggerConfig.LISTEN_HOST)).isEqualTo("127.0.0.1");
        assertThat(new LocalCluster(layout).metaloggerStatusAddress(second)).isEqualTo("127.0.0.1:21008");
        assertThat(layout.configuredInstances()).as("metaloggers start last, once the masters run")
                .containsExactly(new Instance(Role.MASTER, 1), new Instance(Role.CHUNKSERVER, 1), second);
        assertThat(layout.pidFile(second)).isEqualTo(dir.resolve("run/metalogger-2.pid"));
    }

    @Test
    void aClusterMadeBeforeMasterGroupsKeepsItsMasterConfigAndData(@TempDir Path dir) throws IOException {
        LocalLayout layout = new LocalLayout(dir);
        java.nio.file.Files.createDirectories(layout.etcDir());
        java.nio.file.Files.writeString(layout.etcDir().resolve("master.cfg"), "RAFT_PORT = 9419\n");
        Instance master = new Instance(Role.MASTER, 1);

        assertThat(layout.config(master)).isEqualTo(dir.resolve("etc/master.cfg"));
        assertThat(layout.dataDir(master)).isEqualTo(dir.resolve("data/master"));
        assertThat(layout.configuredMasters()).containsExactly(master);
    }

    @Test
    void noTwoDaemonsOfAClusterShareAPort(@TempDir Path dir) throws IOException {
        LocalLayout layout = new LocalLayout(dir);
        PortPlan ports = new PortPlan(PortPlan.DEFAULT_BASE_PORT);
        List<Long> used = new ArrayList<>();
        for (int m = 1; m <= PortPlan.MAX_MASTERS; m++) {
            used.addAll(ports(Role.MASTER, LocalConfigs.master(layout, ports, m, PortPlan.MAX_MASTERS).entrySet()));
        }
        for (int k = 1; k <= 99; k++) {
            used.addAll(ports(Role.CHUNKSERVER, LocalConfigs.chunkServer(layout, ports, k, 5).entrySet()));
        }
        assertThat(used).doesNotHaveDuplicates().contains(9419L, 9420L, 9421L, 10419L, 10421L, 13421L, 9429L, 9439L,
                9449L);
    }

    @Test
    void portPlanRefusesPortsBeyond65535() {
        assertThatThrownBy(() -> new PortPlan(65530).chunkServerData(1)).hasMessageContaining("lower --base-port");
        assertThatThrownBy(() -> new PortPlan(62000).masterRaft(5)).hasMessageContaining("lower --base-port");
        assertThatThrownBy(() -> new PortPlan(9419).masterRaft(6)).hasMessageContaining("outside 1..5");
        assertThatThrownBy(() -> new PortPlan(80)).hasMessageContaining("outside 1024..65535");
    }

    private static List<Long> ports(Role role, java.util.Set<java.util.Map.Entry<String, String>> entries) {
        List<Long> ports = new ArrayList<>();
        for (var e : entries) {
            ConfigKey<?> key = role.schema().keys().stream().filter(k -> k.name().equals(e.getKey())).findFirst()
                    .orElseThrow();
            if (key.name().endsWith("_PORT")) {
                ports.add(Long.parseLong(e.getValue()));
            }
        }
        return ports;
    }
}
