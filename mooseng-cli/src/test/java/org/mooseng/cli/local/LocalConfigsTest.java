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
import org.mooseng.cli.Role;
import org.mooseng.common.config.Config;
import org.mooseng.common.config.ConfigKey;
import org.mooseng.master.MasterConfig;

class LocalConfigsTest {

    @Test
    void writtenConfigsLoadBackWithThePlannedPortsAndDirectories(@TempDir Path dir) throws IOException {
        LocalLayout layout = new LocalLayout(dir);
        PortPlan ports = new PortPlan(20000);
        Instance master = new Instance(Role.MASTER, 1);
        Instance second = new Instance(Role.CHUNKSERVER, 2);

        LocalConfigs.write(Role.MASTER, layout.config(master), LocalConfigs.master(layout, ports));
        LocalConfigs.write(Role.CHUNKSERVER, layout.config(second), LocalConfigs.chunkServer(layout, ports, 2));

        Config m = Role.MASTER.load(dir.resolve("etc/master.cfg"));
        assertThat(m.get(MasterConfig.RAFT_PORT)).isEqualTo(20000L);
        assertThat(m.get(MasterConfig.CHUNKSERVER_PORT)).isEqualTo(20001L);
        assertThat(m.get(MasterConfig.CLIENT_PORT)).isEqualTo(20002L);
        assertThat(m.get(MasterConfig.DATA_DIR)).isEqualTo(dir.resolve("data/master").toString());
        Config c = Role.CHUNKSERVER.load(dir.resolve("etc/chunkserver-2.cfg"));
        assertThat(c.get(ChunkServerConfig.DATA_PORT)).isEqualTo(20020L);
        assertThat(c.get(ChunkServerConfig.MASTER_PORT)).isEqualTo(20001L);
        assertThat(c.get(ChunkServerConfig.MASTER_HOST)).isEqualTo("127.0.0.1");
        assertThat(c.get(ChunkServerConfig.DATA_DIR)).isEqualTo(dir.resolve("data/chunkserver-2").toString());
    }

    @Test
    void noTwoDaemonsOfAClusterShareAPort(@TempDir Path dir) throws IOException {
        LocalLayout layout = new LocalLayout(dir);
        PortPlan ports = new PortPlan(PortPlan.DEFAULT_BASE_PORT);
        List<Long> used = new ArrayList<>();
        used.addAll(ports(Role.MASTER, LocalConfigs.master(layout, ports).entrySet()));
        for (int k = 1; k <= 9; k++) {
            var values = LocalConfigs.chunkServer(layout, ports, k);
            values.remove(ChunkServerConfig.MASTER_PORT.name()); // the master's port, not the chunk server's own
            used.addAll(ports(Role.CHUNKSERVER, values.entrySet()));
        }
        assertThat(used).doesNotHaveDuplicates().contains(9419L, 9420L, 9421L, 9429L, 9439L, 9449L);
    }

    @Test
    void portPlanRefusesPortsBeyond65535() {
        assertThatThrownBy(() -> new PortPlan(65530).chunkServerData(1)).hasMessageContaining("lower --base-port");
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
