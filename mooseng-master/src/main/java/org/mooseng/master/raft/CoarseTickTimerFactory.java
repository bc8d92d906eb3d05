package org.mooseng.master.raft;

import com.alipay.sofa.jraft.util.NamedThreadFactory;
import com.alipay.sofa.jraft.util.SPI;
import com.alipay.sofa.jraft.util.timer.DefaultRaftTimerFactory;
import com.alipay.sofa.jraft.util.timer.HashedWheelTimer;
import com.alipay.sofa.jraft.util.timer.Timer;
import java.util.concurrent.TimeUnit;

/**
 * jraft's node timers (election, vote, step-down, snapshot) with a 10 ms tick instead of its
 * 1 ms: each timer is a thread that wakes at every tick, so four of them woke a master 4,000
 * times a second, about 1% of a core each even when idle, and preempted the work on a machine
 * with two cores. The timeouts they run are hundreds of milliseconds (election timeout) to
 * hours (snapshots), so firing up to a tick later changes nothing. Found by jraft's service
 * loader ({@code META-INF/services}), where it outranks the default factory.
 */
@SPI(priority = 1)
public final class CoarseTickTimerFactory extends DefaultRaftTimerFactory {
    static final long TICK_MS = 10;
    private static final int TICKS_PER_WHEEL = 512;

    @Override
    public Timer createTimer(String name) {
        return new HashedWheelTimer(new NamedThreadFactory(name, true), TICK_MS, TimeUnit.MILLISECONDS,
                TICKS_PER_WHEEL);
    }
}
