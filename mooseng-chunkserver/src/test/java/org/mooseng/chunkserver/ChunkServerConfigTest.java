package org.mooseng.chunkserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
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
}
