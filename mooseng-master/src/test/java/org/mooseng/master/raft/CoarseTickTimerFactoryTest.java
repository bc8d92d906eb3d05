package org.mooseng.master.raft;

import static org.assertj.core.api.Assertions.assertThat;

import com.alipay.sofa.jraft.core.NodeImpl;
import com.alipay.sofa.jraft.util.timer.Timer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CoarseTickTimerFactoryTest {
    @Test
    void jraftNodesTakeTheirTimersFromTheCoarseTickFactory() {
        assertThat(NodeImpl.TIMER_FACTORY).isInstanceOf(CoarseTickTimerFactory.class);
    }

    @Test
    void itsTimersStillFireTheirTasks() throws Exception {
        Timer timer = new CoarseTickTimerFactory().createTimer("test-timer");
        try {
            CountDownLatch fired = new CountDownLatch(1);
            timer.newTimeout(timeout -> fired.countDown(), 30, TimeUnit.MILLISECONDS);
            assertThat(fired.await(5, TimeUnit.SECONDS)).isTrue();
        } finally {
            timer.stop();
        }
    }
}
