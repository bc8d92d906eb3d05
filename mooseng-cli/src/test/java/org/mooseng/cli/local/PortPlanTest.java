package org.mooseng.cli.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class PortPlanTest {

    @Test
    void theFirstMetaloggerKeepsItsDefaultPortsBesideTheFirstMaster() {
        PortPlan plan = new PortPlan(PortPlan.DEFAULT_BASE_PORT);

        assertThat(plan.metaloggerRaft(1)).isEqualTo(org.mooseng.metalogger.MetaloggerConfig.DEFAULT_RAFT_PORT);
        assertThat(plan.metaloggerStatus(1)).isEqualTo(org.mooseng.metalogger.MetaloggerConfig.DEFAULT_STATUS_PORT);
        assertThat(plan.metaloggerRaft(3)).isEqualTo(11426);
        assertThat(plan.metaloggerStatus(3)).isEqualTo(11427);
    }

    @Test
    void theLargestClusterHasNoPortTwice() {
        List<Integer> ports = new PortPlan(20000).ports(PortPlan.MAX_MASTERS, 99, PortPlan.MAX_METALOGGERS);

        assertThat(new HashSet<>(ports)).hasSameSizeAs(ports);
        assertThat(ports).contains(20007, 20008, 24007, 24008);
    }

    @Test
    void metaloggersOutsideThePlanAreRefused() {
        PortPlan plan = new PortPlan(20000);

        assertThatThrownBy(() -> plan.metaloggerRaft(0)).hasMessageContaining("outside 1..5");
        assertThatThrownBy(() -> plan.metaloggerRaft(6)).hasMessageContaining("outside 1..5");
        assertThatThrownBy(() -> new PortPlan(61530).metaloggerRaft(5)).hasMessageContaining("lower --base-port");
        assertThat(new PortPlan(61526).metaloggerStatus(5)).isEqualTo(65535 - 1);
    }
}
