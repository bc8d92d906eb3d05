package org.mooseng.metalogger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.mooseng.common.config.Config;

class MetaloggerStatusTest {
    @Test
    void jsonRoundTripsEveryFieldIncludingEscapes() {
        MetaloggerStatus status = new MetaloggerStatus("10.0.0.5:9426", "c\"1\\", "10.0.0.1:9419", true, "RUNNING",
                "line one\nline\ttwo \u0001", 1234, 1240, 1236, 1_700_000_000_123L, 1_700_000_000_001L, 1000, 3, 7);

        assertThat(MetaloggerStatus.fromJson(status.toJson())).isEqualTo(status);
        assertThat(status.lag(1300)).isEqualTo(66);
        assertThat(status.lag(1000)).isZero();
    }

    @Test
    void unknownFieldsAreIgnoredAndMissingOnesAreZero() {
        MetaloggerStatus status = MetaloggerStatus.fromJson(" {\"appliedIndex\": 5, \"future\": \"x\", \"joined\": true} ");

        assertThat(status.appliedIndex()).isEqualTo(5);
        assertThat(status.joined()).isTrue();
        assertThat(status.self()).isEmpty();
        assertThat(status.segments()).isZero();
    }

    @Test
    void nestedOrBrokenJsonIsRejected() {
        assertThatThrownBy(() -> MetaloggerStatus.fromJson("{\"a\": {\"b\": 1}}")).isInstanceOf(
                IllegalArgumentException.class);
        assertThatThrownBy(() -> MetaloggerStatus.fromJson("{\"a\": 1")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void prometheusTextNamesFollowTheProjectScheme() {
        MetaloggerStatus status = new MetaloggerStatus("a:1", "", "", false, "FAILED", "x", 9, 9, 9, 0, 0, 0, 0, 1);

        assertThat(status.toPrometheus()).contains("mooseng_metalogger_applied_index 9\n")
                .contains("mooseng_metalogger_up 0\n").contains("# TYPE mooseng_metalogger_segments gauge");
    }

    @Test
    void sampleConfigurationDocumentsEveryKeyWithItsDefault() {
        String sample = MetaloggerConfig.SCHEMA.sample();

        assertThat(sample).contains("MASTER_PEERS = \n").contains("SNAPSHOTS_KEPT = 3\n")
                .contains("RAFT_PORT = " + MetaloggerConfig.DEFAULT_RAFT_PORT + "\n")
                .contains("STATUS_PORT = " + MetaloggerConfig.DEFAULT_STATUS_PORT + "\n");
        Config parsed = MetaloggerConfig.SCHEMA.parse(sample.replace("MASTER_PEERS = \n", "MASTER_PEERS = m1:9419\n"),
                "sample");
        assertThat(parsed.get(MetaloggerConfig.MASTER_PEERS)).isEqualTo("m1:9419");
        assertThatThrownBy(() -> MetaloggerConfig.SCHEMA.parse("SNAPSHOT_KEPT = 2\n", "f"))
                .hasMessageContaining("did you mean SNAPSHOTS_KEPT");
    }
}
