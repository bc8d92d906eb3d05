package org.mooseng.cli.role;

import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one daemon in the foreground until it ends or the process receives SIGTERM/SIGINT.
 * The JVM turns those signals into shutdown hooks, so the hook is where the daemon is
 * closed: its data is flushed before the process exits.
 */
public final class RoleRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(RoleRuntime.class);

    private RoleRuntime() {
    }

    public static int run(String role, Callable<RunningRole> start) throws Exception {
        // 'mooseng up' names each daemon (master-1, chunkserver-2) so its log says which one it is.
        return run(System.getProperty("mooseng.instance", role), start.call());
    }

    private static int run(String name, RunningRole role) throws InterruptedException {
        AtomicBoolean closed = new AtomicBoolean();
        Thread hook = new Thread(() -> {
            LOG.info("{}: stop requested, shutting down", name);
            if (closeOnce(name, role, closed)) {
                LOG.info("{}: stopped", name);
            }
        }, name + "-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        LOG.info("{}: running (pid {})", name, ProcessHandle.current().pid());
        try {
            role.waiter().awaitTermination();
        } finally {
            if (closeOnce(name, role, closed)) {
                LOG.info("{}: stopped", name);
            }
        }
        return 0;
    }

    /** Closes the daemon unless another thread already did; true when this call closed it. */
    private static boolean closeOnce(String name, RunningRole role, AtomicBoolean closed) {
        if (!closed.compareAndSet(false, true)) {
            return false;
        }
        try {
            role.stopper().close();
        } catch (Exception e) {
            LOG.error("{}: error while stopping", name, e);
        }
        return true;
    }
}
