package org.mooseng.chunkserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.mooseng.chunkserver.master.MasterEndpoint;
import org.mooseng.common.config.Config;

class ChunkServerConfigTest {
    @Test
    void sampleDocumentsEveryKeyAndParsesBackToTheDefaults() {
        String sample = ChunkServerConfig.SCHEMA.sample();
        assertThat(sample).contains("DATA_DIR = /var/lib/mooseng/chunkserver", "DATA_PORT = 9422",
                "MASTER_PORT = 9420", "HEARTBEAT_INTERVAL_MS = 1000", "ADVERTISE_HOST = \n");
        Config parsed = ChunkServerConfig.SCHEMA.parse(sample, "sample");
        for (var key : ChunkServerConfig.SCHEMA.keys()) {
            assertThat((Object) parsed.get(key)).as(key.name()).isEqualTo(key.defaultValue());
        }
    }

    @Test
    void outOfRangePortIsRejected() {
        assertThatThrownBy(() -> ChunkServerConfig.SCHEMA.parse("DATA_PORT = 70000", "test"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DATA_PORT");
    }

    @Test
    void mastersListsEveryMasterAndWithoutItMasterHostAndPortNameTheOnlyOne() {
        Config group = ChunkServerConfig.SCHEMA.parse("MASTERS = m1:9420, m2:10420 ,[::1]:11420", "test");
        assertThat(ChunkServerConfig.masters(group)).containsExactly(new MasterEndpoint("m1", 9420),
                new MasterEndpoint("m2", 10420), new MasterEndpoint("::1", 11420));

        Config one = ChunkServerConfig.SCHEMA.parse("MASTER_HOST = m1\nMASTER_PORT = 20001", "test");
        assertThat(ChunkServerConfig.masters(one)).containsExactly(new MasterEndpoint("m1", 20001));
        assertThat(ChunkServerConfig.masters(ChunkServerConfig.SCHEMA.defaults()))
                .containsExactly(new MasterEndpoint("127.0.0.1", 9420));
    }

    @Test
    void mastersTogetherWithTheOneMasterShorthandOrMalformedIsRefused() {
        Config both = ChunkServerConfig.SCHEMA.parse("MASTERS = m1:9420\nMASTER_PORT = 20001", "test");
        assertThatThrownBy(() -> ChunkServerConfig.masters(both)).hasMessageContaining("MASTER_PORT");
        for (String bad : new String[] {"m1", "m1:", "m1:x", "m1:9420,m1:9420", "::1:9420", "m1:70000"}) {
            Config config = ChunkServerConfig.SCHEMA.parse("MASTERS = " + bad, "test");
            assertThatThrownBy(() -> ChunkServerConfig.masters(config)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("MASTERS: ");
        }
    }
}
