package org.mooseng.cli.local;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.mooseng.cli.Main;
import org.mooseng.cli.Role;
import org.mooseng.cli.mount.LocalMount;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "up",
        description = "Start a local cluster (1, 3 or 5 masters, N chunk servers, metaloggers, a FUSE mount) in the"
                + " background.",
        footer = {"",
                "The first run in DIR formats a new cluster with a random id (every master with the same one); "
                        + "later runs restart the same cluster with its data and leave daemons that still run alone.",
                "",
                "Ports from the base port P: master m (1..5) Raft P+1000(m-1), chunk-server port +1, client "
                        + "port +2; chunk server k data port P+10k. By default: masters 9419-9421, 10419-10421, "
                        + "11419-11421, ...; chunk servers 9429, 9439, 9449; metalogger k (1..5) Raft "
                        + "P+1000(k-1)+7, status +8 (9426/9427 for the first).",
                "",
                "Chunk servers register with every master; the mount and the fs/admin commands are given every "
                        + "master's client port (DIR/" + ClusterFile.FILE_NAME + ") and follow the leader."})
public final class UpCommand implements Callable<Integer> {
    private static final Duration STOP_GRACE = Duration.ofSeconds(15);
    private static final int LOG_TAIL_LINES = 25;

    @Spec
    CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = LocalLayout.DEFAULT_DIR,
            description = "Directory of the cluster's configs, data, PID files and logs (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--base-port", paramLabel = "P",
            description = "First port of the cluster (default " + PortPlan.DEFAULT_BASE_PORT + "; a restart keeps the ports it has).")
    Integer basePort;

    @Option(names = "--masters", paramLabel = "N",
            description = "Masters to run as one Raft group: 1, 3 or 5 (default 1 for a new cluster; a restart"
                    + " keeps its count).")
    Integer masters;

    @Option(names = "--chunkservers", paramLabel = "N",
            description = "Chunk servers to run (default 3 for a new cluster; a restart keeps its count, or grows to N).")
    Integer chunkServers;

    @Option(names = "--metaloggers", paramLabel = "N",
            description = "Metaloggers to run, 0 to " + PortPlan.MAX_METALOGGERS + " (default 0 for a new cluster; a"
                    + " restart keeps its count, or grows to N). Each joins the master group as a non-voting member"
                    + " and keeps the metadata log and snapshots in DIR/data/metalogger-K.")
    Integer metaloggers;

    @Option(names = "--timeout-seconds", paramLabel = "S", defaultValue = "60",
            description = "How long to wait for a leader and for every chunk server to register with every master (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--no-build", description = "Do not rebuild the distribution first (handled by bin/mooseng).")
    boolean noBuild;

    @Option(names = "--no-mount", description = "Do not mount the cluster at DIR/mnt with FUSE.")
    boolean noMount;

    @Override
    public Integer call() throws Exception {
        if (chunkServers != null && (chunkServers < 1 || chunkServers > 99)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--chunkservers must be between 1 and 99");
        }
        if (masters != null && masters != 1 && masters != 3 && masters != 5) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--masters must be 1, 3 or 5 (a group of"
                    + " 2 or 4 survives no more failures than one of 1 or 3)");
        }
        if (metaloggers != null && (metaloggers < 0 || metaloggers > PortPlan.MAX_METALOGGERS)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--metaloggers must be between 0 and "
                    + PortPlan.MAX_METALOGGERS);
        }
        if (timeoutSeconds < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--timeout-seconds must be positive");
        }
        PrintWriter out = spec.commandLine().getOut();
        LocalCluster cluster = new LocalCluster(new LocalLayout(dir));
        ClusterFile clusterFile;
        if (cluster.exists()) {
            clusterFile = cluster.clusterFile();
            PortPlan ports = cluster.portPlan();
            if (basePort != null && basePort != ports.basePort()) {
                out.println("note: keeping the cluster's base port " + ports.basePort() + " (--base-port " + basePort
                        + " applies to new clusters only)");
            }
            int existingMasters = cluster.layout().configuredMasters().size();
            if (masters != null && masters != existingMasters) {
                out.println("note: keeping the cluster's " + existingMasters + " master(s) (--masters applies to new"
                        + " clusters only; change a running group with mooseng admin add-master / remove-master)");
            }
            int existing = (int) cluster.layout().configuredInstances().stream()
                    .filter(i -> i.role() == Role.CHUNKSERVER).count();
            if (chunkServers != null && chunkServers > existing) {
                cluster.addChunkServers(ports, existing + 1, chunkServers, existingMasters);
            }
            int existingMetaloggers = cluster.layout().configured(Role.METALOGGER).size();
            if (metaloggers != null && metaloggers > existingMetaloggers) {
                ports.ports(0, 0, metaloggers); // refuses a plan beyond port 65535 before anything is written
                cluster.addMetaloggers(ports, existingMetaloggers + 1, metaloggers, existingMasters);
            } else if (metaloggers != null && metaloggers < existingMetaloggers) {
                out.println("note: keeping the cluster's " + existingMetaloggers + " metalogger(s) (--metaloggers"
                        + " only adds)");
            }
            out.println("restarting cluster " + clusterFile.clusterId() + " in " + cluster.layout().dir());
        } else {
            PortPlan ports = new PortPlan(basePort != null ? basePort : PortPlan.DEFAULT_BASE_PORT);
            int masterCount = masters != null ? masters : 1;
            int count = chunkServers != null ? chunkServers : 3;
            int metaloggerCount = metaloggers != null ? metaloggers : 0;
            // Refuses a plan beyond port 65535, or a port in use, before anything is written.
            LocalCluster.requireFree(ports.ports(0, 0, metaloggerCount));
            ports.ports(masterCount, count);
            clusterFile = cluster.create(ports, masterCount, count);
            cluster.addMetaloggers(ports, 1, metaloggerCount, masterCount);
            out.println("formatted new cluster " + clusterFile.clusterId() + " in " + cluster.layout().dir()
                    + (masterCount > 1 ? " with " + masterCount + " masters" : ""));
        }
        out.flush();
        List<Instance> instances = cluster.layout().configuredInstances();
        List<LocalCluster.Started> started = new ArrayList<>();
        String leader;
        try {
            for (Instance instance : instances) {
                LocalCluster.StartResult result = cluster.start(instance);
                if (result instanceof LocalCluster.Started s) {
                    started.add(s);
                }
            }
            leader = new ClusterReadiness(cluster, clusterFile, started, Duration.ofSeconds(timeoutSeconds)).await();
        } catch (IOException | RuntimeException e) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("mooseng up: " + org.mooseng.cli.Errors.oneLine(e));
            for (LocalCluster.Started s : started) {
                cluster.printLogTail(s.instance(), LOG_TAIL_LINES, err);
            }
            cluster.stop(started.stream().map(LocalCluster.Started::instance).toList(), STOP_GRACE);
            if (!started.isEmpty()) {
                err.println("mooseng up: stopped the " + started.size() + " process(es) this run started");
            }
            err.flush();
            return Main.EXIT_ERROR;
        }
        printSummary(cluster, clusterFile, leader, instances, started, out);
        return noMount ? Main.EXIT_OK : mount(cluster, clusterFile, out);
    }

    /** Mounts the cluster at DIR/mnt; a failed mount leaves the cluster running and says so. */
    private int mount(LocalCluster cluster, ClusterFile clusterFile, PrintWriter out) throws InterruptedException {
        LocalMount mount = new LocalMount(cluster.layout());
        try {
            var pid = mount.start(clusterFile, Duration.ofSeconds(timeoutSeconds));
            out.printf("  %-15s pid %-8s %-16s %s%n", LocalMount.NAME, pid.map(String::valueOf).orElse("-"),
                    pid.isPresent() ? "started" : "already mounted", mount.mountpoint());
            out.printf("  %-15s log %s%n", "", mount.log());
            out.flush();
            return Main.EXIT_OK;
        } catch (IOException | RuntimeException e) {
            out.flush();
            PrintWriter err = spec.commandLine().getErr();
            err.println("mooseng up: the cluster is up but mounting it failed: " + org.mooseng.cli.Errors.oneLine(e));
            if (e.getMessage() != null && e.getMessage().contains("\n")) {
                err.println(e.getMessage().substring(e.getMessage().indexOf('\n') + 1));
            }
            err.flush();
            return Main.EXIT_ERROR;
        }
    }

    private static void printSummary(LocalCluster cluster, ClusterFile clusterFile, String leader,
                                     List<Instance> instances, List<LocalCluster.Started> started, PrintWriter out)
            throws IOException {
        LocalLayout layout = cluster.layout();
        long chunkServerCount = instances.stream().filter(i -> i.role() == Role.CHUNKSERVER).count();
        long metaloggerCount = instances.stream().filter(i -> i.role() == Role.METALOGGER).count();
        out.println("cluster " + clusterFile.clusterId() + " is up: "
                + (clusterFile.masters().size() == 1 ? "master at " + clusterFile.masterAddresses()
                        : clusterFile.masters().size() + " masters at " + clusterFile.masterAddresses() + " (leader "
                                + leader + ")")
                + ", " + chunkServerCount + " chunk servers"
                + (metaloggerCount == 0 ? "" : ", " + metaloggerCount + " metalogger(s)"));
        for (Instance instance : instances) {
            boolean fresh = started.stream().anyMatch(s -> s.instance().equals(instance));
            long pid = cluster.pidFile(instance).pid().orElse(-1);
            out.printf("  %-15s pid %-8d %-16s %s%n", instance.name(), pid, fresh ? "started" : "already running",
                    cluster.ports(instance).stream().map(LocalCluster.NamedPort::toString)
                            .reduce((a, b) -> a + ", " + b).orElse(""));
            out.printf("  %-15s log %s%n  %-15s data %s%n", "", layout.logFile(instance), "", layout.dataDir(instance));
        }
        out.println("client access: " + layout.clusterFile());
        out.println("stop with: mooseng down --dir " + layout.dir());
        out.flush();
    }
}
