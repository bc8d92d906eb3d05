package org.mooseng.cli.mount;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.mooseng.cli.local.ClusterFile;
import org.mooseng.cli.local.LocalLayout;
import org.mooseng.cli.local.PidFile;
import org.mooseng.client.ClientOptions;

/**
 * The mount of a local cluster: DIR/mnt, its PID in DIR/run/mount-1.pid and its log in
 * DIR/log/mount-1.log. {@code up} starts it, {@code down} unmounts and stops it.
 */
public final class LocalMount {
    public static final String NAME = "mount-1";

    private final LocalLayout layout;

    public LocalMount(LocalLayout layout) {
        this.layout = layout;
    }

    public Path mountpoint() {
        return layout.dir().resolve("mnt");
    }

    public Path log() {
        return layout.dir().resolve("log").resolve(NAME + ".log");
    }

    /** The PID file is trusted only while its process names the mount point on its command line. */
    public PidFile pidFile() {
        return new PidFile(layout.dir().resolve("run").resolve(NAME + ".pid"), mountpoint());
    }

    public boolean mounted() throws IOException {
        return ProcMounts.isMooseNgMount(mountpoint());
    }

    /** What status shows of the mount. */
    public record State(Long pid, boolean alive, boolean mounted, Path mountpoint, Path log) {
    }

    /** Empty when this cluster was never mounted (no PID file and nothing mounted). */
    public Optional<State> state() throws IOException {
        PidFile pidFile = pidFile();
        var pid = pidFile.pid();
        boolean mounted = mounted();
        if (pid.isEmpty() && !mounted) {
            return Optional.empty();
        }
        return Optional.of(new State(pid.isPresent() ? pid.getAsLong() : null, pidFile.liveProcess().isPresent(),
                mounted, mountpoint(), log()));
    }

    /** Mounts unless already mounted; returns the PID of a started process, or empty when it was mounted. */
    public Optional<Long> start(ClusterFile cluster, Duration timeout) throws IOException, InterruptedException {
        if (mounted()) {
            return Optional.empty();
        }
        // A mount whose process died leaves "transport endpoint is not connected" behind: clear it first.
        if (ProcMounts.find(mountpoint()).isPresent()) {
            Unmount.unmount(mountpoint());
        }
        Files.createDirectories(mountpoint());
        ClientOptions client = ClientOptions.builder().masters(cluster.masters())
                .expectedClusterId(cluster.clusterId()).build();
        Process process = MountProcess.start(mountpoint(), client, List.of(), log(), timeout);
        pidFile().write(process.pid());
        return Optional.of(process.pid());
    }

    /** What stopping the mount amounted to. */
    public record Stopped(Unmount.Outcome unmount, long pid, boolean killed) {
    }

    /**
     * Unmounts (fusermount3 -u, lazily when busy), waits for the process to exit after it,
     * SIGTERM then SIGKILL if it does not within {@code grace}.
     */
    public Stopped stop(Duration grace) throws IOException, InterruptedException {
        Unmount.Outcome outcome = Unmount.unmount(mountpoint());
        Optional<ProcessHandle> live = pidFile().liveProcess();
        long pid = live.map(ProcessHandle::pid).orElse(-1L);
        boolean killed = false;
        if (live.isPresent()) {
            ProcessHandle handle = live.get();
            if (!awaitExit(handle, grace.toNanos() / 2)) {
                handle.destroy();
                if (!awaitExit(handle, grace.toNanos() / 2)) {
                    handle.destroyForcibly();
                    killed = true;
                    awaitExit(handle, TimeUnit.SECONDS.toNanos(5));
                }
            }
        }
        pidFile().delete();
        return new Stopped(outcome, pid, killed);
    }

    private static boolean awaitExit(ProcessHandle handle, long timeoutNanos) {
        try {
            handle.onExit().get(timeoutNanos, TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException | ExecutionException e) {
            return !handle.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !handle.isAlive();
        }
    }
}
