package org.mooseng.cli.local;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.mooseng.cli.CliException;
import org.mooseng.cli.Main;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "down", description = "Stop a local cluster: SIGTERM every daemon, SIGKILL those still running after 15 s.")
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
