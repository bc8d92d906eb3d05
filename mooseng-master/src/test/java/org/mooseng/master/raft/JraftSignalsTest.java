package org.mooseng.master.raft;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import sun.misc.Signal;
import sun.misc.SignalHandler;

class JraftSignalsTest {
    @Test
    void afterJraftsNodeClassIsLoadedSigusr2StillHasTheJvmsHandler() throws Exception {
        JraftSignals.loadNodeKeepingJvmSignals();

        assertThat(Class.forName("com.alipay.sofa.jraft.core.NodeImpl", false, getClass().getClassLoader()))
                .isNotNull();
        Signal usr2 = new Signal("USR2");
        SignalHandler current = Signal.handle(usr2, SignalHandler.SIG_IGN);
        Signal.handle(usr2, current);
        // jraft's handler is a Java object of its own; the JVM's is a native one.
        assertThat(current.getClass().getName()).doesNotContain("jraft");
        assertThat(current).isNotSameAs(SignalHandler.SIG_IGN).isNotSameAs(SignalHandler.SIG_DFL);
    }
}
