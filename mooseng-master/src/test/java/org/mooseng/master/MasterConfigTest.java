package org.mooseng.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.mooseng.common.config.Config;

class MasterConfigTest {
    @Test
    void sampleDocumentsEveryKeyAndParsesBackToTheDefaults() {
        String sample = MasterConfig.SCHEMA.sample();
        for (var key : MasterConfig.SCHEMA.keys()) {
            assertThat(sample).contains(key.name() + " = ");
            assertThat(key.description()).isNotBlank();
        }
        Config parsed = MasterConfig.SCHEMA.parse(sample, "sample");
        assertThat(parsed.get(MasterConfig.CLIENT_PORT)).isEqualTo(9421L);
        assertThat(parsed.get(MasterConfig.RAFT_PORT)).isEqualTo(9419L);
        assertThat(parsed.get(MasterConfig.CHUNKSERVER_PORT)).isEqualTo(9420L);
        assertThat(parsed.get(MasterConfig.DEFAULT_GOAL)).isEqualTo(2L);
        assertThat(parsed.get(MasterConfig.DATA_DIR)).isEqualTo("/var/lib/mooseng/master");
    }

    @Test
    void peersAreSplitOnCommasIgnoringBlanks() {
        assertThat(MasterServer.parsePeers(" m1:9419, m2:9419,,m3:9419 ")).containsExactly("m1:9419", "m2:9419", "m3:9419");
        assertThat(MasterServer.parsePeers("")).isEmpty();
    }

    @Test
    void aMisspelledKeyIsRejectedWithAHint() {
        assertThatThrownBy(() -> MasterConfig.SCHEMA.parse("CLIENT_PRT = 1", "f"))
                .hasMessageContaining("did you mean CLIENT_PORT");
    }
}
