package org.mooseng.master.raft;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Keeps SIGUSR2 with the JVM. Loading jraft's node class installs a Java handler for SIGUSR2
 * that writes node descriptions and metrics into files in the working directory, one new thread
 * per signal. HotSpot itself sends SIGUSR2 to suspend threads (Flight Recorder's sampling does,
 * many times a second): with jraft's handler in place a recording gets no samples and the
 * member spends its CPU writing those files. The JVM's handler is put back right after.
 */
public final class JraftSignals {
    private static final Logger LOG = LoggerFactory.getLogger(JraftSignals.class);
    private static final String NODE_CLASS = "com.alipay.sofa.jraft.core.NodeImpl";

    private JraftSignals() {
    }

    /** Loads jraft's node class, leaving SIGUSR2 as the JVM had it. Call before starting a node. */
    public static synchronized void loadNodeKeepingJvmSignals() {
        Signal usr2 = new Signal("USR2");
        SignalHandler jvm;
        try {
            jvm = Signal.handle(usr2, SignalHandler.SIG_IGN);
        } catch (IllegalArgumentException e) {
            return; // the JVM keeps the signal to itself, and jraft cannot take it either
        }
        try {
            Class.forName(NODE_CLASS, true, JraftSignals.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("jraft is not on the class path", e);
        } finally {
            SignalHandler replaced = Signal.handle(usr2, jvm);
            if (replaced != SignalHandler.SIG_IGN) {
                LOG.debug("SIGUSR2: jraft's handler {} removed", replaced);
            }
        }
    }
}
