package org.mooseng.chunkserver.master;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MasterConnectionBackoffTest {
    @Test
    void theWaitDoublesPerFailedRoundUpToTheCap() {
        assertThat(MasterConnection.nextDelayMs(0, 1000, 5000)).isEqualTo(1000);
        assertThat(MasterConnection.nextDelayMs(1, 1000, 5000)).isEqualTo(2000);
        assertThat(MasterConnection.nextDelayMs(2, 1000, 5000)).isEqualTo(4000);
        assertThat(MasterConnection.nextDelayMs(3, 1000, 5000)).isEqualTo(5000);
        assertThat(MasterConnection.nextDelayMs(30, 1000, 5000)).as("no overflow").isEqualTo(5000);
        assertThat(MasterConnection.nextDelayMs(30, 1000, 1000)).isEqualTo(1000);
    }
}
