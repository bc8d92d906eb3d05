package org.mooseng.cli.local;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.mooseng.cli.CliException;
import org.mooseng.cli.Main;
import org.mooseng.cli.mount.LocalMount;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "down", description = "Stop a local cluster: unmount DIR/mnt, SIGTERM every daemon, SIGKILL those still running after 15 s.")
public final class DownCommand implements Callable<Integer> {
    private static final Duration GRACE = Duration.ofSeconds(15);

    @Spec
    CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = LocalLayout.DEFAULT_DIR,
            description = "Directory of the cluster (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Override
    public Integer call() throws Exception {
        LocalCluster cluster = new LocalCluster(new LocalLayout(dir));
        List<Instance> instances = cluster.layout().configuredInstances();
        if (instances.isEmpty()) {
            throw new CliException("no local cluster in " + cluster.layout().dir());
        }
        PrintWriter out = spec.commandLine().getOut();
        // The mount first: its process is a client of the daemons stopped below.
        LocalMount mount = new LocalMount(cluster.layout());
        if (mount.state().isPresent()) {
            LocalMount.Stopped stopped = mount.stop(GRACE);
            out.println(LocalMount.NAME + ": " + switch (stopped.unmount()) {
                case NOT_MOUNTED -> "not mounted";
                case UNMOUNTED -> "unmounted " + mount.mountpoint();
                case DETACHED_BUSY -> "busy, detached " + mount.mountpoint() + " (lazy unmount)";
                case FAILED -> "could not unmount " + mount.mountpoint();
            } + (stopped.pid() < 0 ? "" : stopped.killed() ? ", killed (pid " + stopped.pid() + ")"
                    : ", stopped (pid " + stopped.pid() + ")"));
        }
        for (LocalCluster.Stopped stopped : cluster.stop(instances, GRACE)) {
            out.println(switch (stopped.outcome()) {
                case NOT_RUNNING -> stopped.instance().name() + ": not running";
                case STOPPED -> stopped.instance().name() + ": stopped (pid " + stopped.pid() + ")";
                case KILLED -> stopped.instance().name() + ": killed after " + GRACE.toSeconds() + " s (pid "
                        + stopped.pid() + ")";
            });
        }
        out.flush();
        return Main.EXIT_OK;
    }
}
