package org.mooseng.fuse;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.mooseng.client.ClientOptions;
import org.mooseng.client.MoosengClient;
import org.mooseng.client.SessionOptions;
import org.mooseng.client.MoosengException;
import org.mooseng.fuse.ll.LowLevelSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A mounted cluster: connects, mounts, serves until unmounted (fusermount3 -u, umount, or
 * SIGTERM, which detaches the mount), then releases everything.
 */
public final class MoosengMount {
    private static final Logger LOG = LoggerFactory.getLogger(MoosengMount.class);
    private static final long SHUTDOWN_WAIT_SECONDS = 20;

    private MoosengMount() {
    }

    /** Runs in the calling thread until the file system is unmounted; returns libfuse's loop result. */
    public static int run(MountConfig config) throws MoosengException {
        boolean root = "root".equals(System.getProperty("user.name")) || isUidZero();
        // The session registers every open (files stay while open), holds the locks, and ends
        // with the mount, or when its lease runs out if the mount dies.
        ClientOptions options = config.client();
        if (!options.session().enabled()) {
            options = options.withSession(SessionOptions.forMount(config.mountpoint().toString()));
        }
        MoosengClient client = MoosengClient.connect(options);
        MoosengFileSystem fileSystem = null;
        LowLevelSession session = null;
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = null;
        try {
            fileSystem = new MoosengFileSystem(client, config.attrTimeoutSeconds(), config.entryTimeoutSeconds(),
                    config.accessTimePolicy(), java.time.Clock.systemUTC());
            session = new LowLevelSession(fileSystem, config.session(root));
            session.mount();
            fileSystem.useKernelCache(session);
            LOG.info("{}: mounted cluster {} (options {}, atime {})", config.mountpoint(), client.clusterId(),
                    config.fuseOptions(root), config.accessTimePolicy());
            LowLevelSession mounted = session;
            hook = new Thread(() -> {
                if (finished.getCount() > 0) {
                    LOG.info("{}: shutting down, detaching the mount", config.mountpoint());
                    mounted.detach();
                    try {
                        finished.await(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }, "mooseng-mount-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            int result = session.loop();
            LOG.info("{}: unmounted (loop result {})", config.mountpoint(), result);
            return result;
        } finally {
            if (session != null) {
                session.close();
            }
            if (fileSystem != null) {
                fileSystem.close();
            }
            client.close();
            finished.countDown();
            if (hook != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // Already shutting down: the hook is running and sees the latch.
                }
            }
        }
    }

    private static boolean isUidZero() {
        try {
            return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }
}
