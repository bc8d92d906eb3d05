package org.mooseng.cli.local;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.mooseng.cli.CliException;
import org.mooseng.cli.Main;
import org.mooseng.cli.Role;
import org.mooseng.cli.mount.LocalMount;
import org.mooseng.proto.ChunkServerInfo;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "up",
        description = "Start a local cluster (1 master, N chunk servers) as background processes.",
        footer = {"",
                "The first run in DIR formats a new cluster with a random id; later runs restart the same "
                        + "cluster with its data and leave daemons that still run alone.",
                "",
                "Ports: master Raft P, master chunk-server port P+1, master client port P+2, chunk server k "
                        + "data port P+10k (9419, 9420, 9421, 9429, 9439, 9449 by default)."})
public final class UpCommand implements Callable<Integer> {
    private static final Duration POLL_INTERVAL = Duration.ofMillis(200);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
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

    @Option(names = "--chunkservers", paramLabel = "N",
            description = "Chunk servers to run (default 3 for a new cluster; a restart keeps its count, or grows to N).")
    Integer chunkServers;

    @Option(names = "--timeout-seconds", paramLabel = "S", defaultValue = "60",
            description = "How long to wait for every chunk server to register (default: ${DEFAULT-VALUE}).")
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
            int existing = (int) cluster.layout().configuredInstances().stream()
                    .filter(i -> i.role() == Role.CHUNKSERVER).count();
            if (chunkServers != null && chunkServers > existing) {
                cluster.addChunkServers(ports, existing + 1, chunkServers);
            }
            out.println("restarting cluster " + clusterFile.clusterId() + " in " + cluster.layout().dir());
        } else {
            PortPlan ports = new PortPlan(basePort != null ? basePort : PortPlan.DEFAULT_BASE_PORT);
            int count = chunkServers != null ? chunkServers : 3;
            ports.chunkServerData(count);
            clusterFile = cluster.create(ports, count);
            out.println("formatted new cluster " + clusterFile.clusterId() + " in " + cluster.layout().dir());
        }
        out.flush();
        List<Instance> instances = cluster.layout().configuredInstances();
        List<LocalCluster.Started> started = new ArrayList<>();
        try {
            for (Instance instance : instances) {
                LocalCluster.StartResult result = cluster.start(instance);
                if (result instanceof LocalCluster.Started s) {
                    started.add(s);
                }
            }
            long expected = instances.stream().filter(i -> i.role() == Role.CHUNKSERVER).count();
            awaitChunkServers(cluster.layout(), clusterFile, expected, started);
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
        printSummary(cluster, clusterFile, instances, started, out);
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

    private void awaitChunkServers(LocalLayout layout, ClusterFile clusterFile, long expected,
                                   List<LocalCluster.Started> started)
            throws InterruptedException {
        long deadlineNanos = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
        String lastState = "master not reached yet";
        try (MasterProbe probe = new MasterProbe(clusterFile.masterHost(), clusterFile.masterPort(), clusterFile.clusterId())) {
            while (true) {
                for (LocalCluster.Started s : started) {
                    if (!s.process().isAlive()) {
                        throw new CliException(s.instance().name() + " exited with code " + s.process().exitValue()
                                + " during startup");
                    }
                }
                switch (probe.clusterInfo(PROBE_TIMEOUT)) {
                    case MasterProbe.Answered answered -> {
                        if (!answered.info().getClusterId().equals(clusterFile.clusterId())) {
                            throw new CliException("master " + clusterFile.masterAddress() + " serves cluster "
                                    + answered.info().getClusterId() + ", expected " + clusterFile.clusterId());
                        }
                        List<String> waiting = notYetHeartbeating(layout, probe, started);
                        if (answered.info().getChunkServers() >= expected && waiting.isEmpty()) {
                            return;
                        }
                        lastState = answered.info().getChunkServers() + " of " + expected + " chunk servers alive"
                                + (waiting.isEmpty() ? "" : ", waiting for " + String.join(", ", waiting));
                    }
                    case MasterProbe.Unreachable unreachable ->
                            lastState = "master " + clusterFile.masterAddress() + " not answering (" + unreachable.reason() + ")";
                }
                if (System.nanoTime() > deadlineNanos) {
                    throw new CliException("cluster not ready after " + timeoutSeconds + " s: " + lastState);
                }
                Thread.sleep(POLL_INTERVAL);
            }
        }
    }

    /**
     * The chunk servers started by this run that the master has not yet heard from since they
     * started. A server killed a moment ago still counts as alive until its heartbeat times
     * out, so the alive count alone would declare a restarted cluster ready before the new
     * process had registered its chunks.
     */
    private static List<String> notYetHeartbeating(LocalLayout layout, MasterProbe probe,
                                                   List<LocalCluster.Started> started) {
        List<String> waiting = new ArrayList<>();
        List<ChunkServerInfo> known = null;
        for (LocalCluster.Started s : started) {
            if (s.instance().role() != Role.CHUNKSERVER) {
                continue;
            }
            Optional<String> serverId = serverId(layout, s.instance());
            if (known == null) {
                known = probe.chunkServers(PROBE_TIMEOUT);
            }
            boolean heard = serverId.isPresent() && known.stream().anyMatch(info ->
                    info.getServerId().equals(serverId.get()) && info.getAlive()
                            && info.getLastHeartbeatMillis() >= s.startedAtMillis());
            if (!heard) {
                waiting.add(s.instance().name());
            }
        }
        return waiting;
    }

    private static Optional<String> serverId(LocalLayout layout, Instance instance) {
        Path file = layout.dataDir(instance).resolve("server-id");
        try {
            return Files.exists(file) ? Optional.of(Files.readString(file).strip()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static void printSummary(LocalCluster cluster, ClusterFile clusterFile, List<Instance> instances,
                                     List<LocalCluster.Started> started, PrintWriter out) throws IOException {
        LocalLayout layout = cluster.layout();
        out.println("cluster " + clusterFile.clusterId() + " is up: master at " + clusterFile.masterAddress() + ", "
                + (instances.size() - 1) + " chunk servers");
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
