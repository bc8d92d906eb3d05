package org.mooseng.cli.local;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import org.mooseng.cli.CliException;
import org.mooseng.cli.Main;
import org.mooseng.cli.mount.LocalMount;
import org.mooseng.proto.ClusterInfoReply;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "status", description = {
        "Show the daemons of a local cluster and what the master reports.",
        "Exit code 0 when every daemon runs and the master answers, 3 otherwise."})
public final class StatusCommand implements Callable<Integer> {
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);

    @Spec
    CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = LocalLayout.DEFAULT_DIR,
            description = "Directory of the cluster (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    /** One daemon as status reports it; {@code port} is null when its config cannot be read. */
    record ProcessState(Instance instance, Long pid, boolean alive, Long port, Path log) {
        String toJson() {
            return new Json.ObjectWriter()
                    .field("name", instance.name())
                    .field("role", instance.role().command())
                    .field("pid", pid)
                    .field("alive", alive)
                    .field("port", port)
                    .field("log", log.toString())
                    .toString();
        }
    }

    @Override
    public Integer call() throws Exception {
        LocalCluster cluster = new LocalCluster(new LocalLayout(dir));
        List<Instance> instances = cluster.layout().configuredInstances();
        if (instances.isEmpty()) {
            throw new CliException("no local cluster in " + cluster.layout().dir() + " (start one with: mooseng up)");
        }
        List<ProcessState> states = new ArrayList<>();
        for (Instance instance : instances) {
            states.add(state(cluster, instance));
        }
        ClusterFile clusterFile = Files.exists(cluster.layout().clusterFile()) ? cluster.clusterFile() : null;
        MasterProbe.Answer answer = new MasterProbe.Unreachable("no " + ClusterFile.FILE_NAME);
        if (clusterFile != null) {
            try (MasterProbe probe = new MasterProbe(clusterFile.masterHost(), clusterFile.masterPort(),
                    clusterFile.clusterId())) {
                answer = probe.clusterInfo(PROBE_TIMEOUT);
            }
        }
        java.util.Optional<LocalMount.State> mount = new LocalMount(cluster.layout()).state();
        if (json) {
            printJson(cluster, clusterFile, states, answer, mount);
        } else {
            printText(cluster, clusterFile, states, answer, mount);
        }
        boolean mountHealthy = mount.map(m -> m.alive() && m.mounted()).orElse(true);
        boolean healthy = states.stream().allMatch(ProcessState::alive) && answer instanceof MasterProbe.Answered
                && mountHealthy;
        return healthy ? Main.EXIT_OK : Main.EXIT_NOT_RUNNING;
    }

    private static ProcessState state(LocalCluster cluster, Instance instance) throws IOException {
        PidFile pidFile = cluster.pidFile(instance);
        OptionalLong pid = pidFile.pid();
        boolean alive = pidFile.liveProcess().isPresent();
        Long port;
        try {
            port = cluster.mainPort(instance);
        } catch (CliException e) {
            port = null;
        }
        return new ProcessState(instance, pid.isPresent() ? pid.getAsLong() : null, alive, port,
                cluster.layout().logFile(instance));
    }

    private void printJson(LocalCluster cluster, ClusterFile clusterFile, List<ProcessState> states,
                           MasterProbe.Answer answer, java.util.Optional<LocalMount.State> mount) {
        Json.ObjectWriter master = new Json.ObjectWriter()
                .field("address", clusterFile == null ? null : clusterFile.masterAddress());
        switch (answer) {
            case MasterProbe.Answered answered -> {
                ClusterInfoReply info = answered.info();
                master.field("answered", true)
                        .field("clusterId", info.getClusterId())
                        .field("version", info.getVersion())
                        .field("leader", info.getLeader())
                        .field("chunkServersAlive", info.getChunkServers())
                        .field("files", info.getFiles())
                        .field("directories", info.getDirectories())
                        .field("chunks", info.getChunks())
                        .field("totalBytes", info.getTotalBytes())
                        .field("freeBytes", info.getFreeBytes())
                        .field("underGoalChunks", info.getUnderGoalChunks())
                        .field("missingChunks", info.getMissingChunks());
            }
            case MasterProbe.Unreachable unreachable -> master.field("answered", false)
                    .field("error", unreachable.reason());
        }
        spec.commandLine().getOut().println(new Json.ObjectWriter()
                .field("dir", cluster.layout().dir().toString())
                .field("clusterId", clusterFile == null ? null : clusterFile.clusterId())
                .raw("master", master.toString())
                .array("processes", states.stream().map(ProcessState::toJson).toList())
                .raw("mount", mount.map(m -> new Json.ObjectWriter()
                        .field("name", LocalMount.NAME)
                        .field("pid", m.pid())
                        .field("alive", m.alive())
                        .field("mounted", m.mounted())
                        .field("mountpoint", m.mountpoint().toString())
                        .field("log", m.log().toString())
                        .toString()).orElse("null"))
                .toString());
        spec.commandLine().getOut().flush();
    }

    private void printText(LocalCluster cluster, ClusterFile clusterFile, List<ProcessState> states,
                           MasterProbe.Answer answer, java.util.Optional<LocalMount.State> mount) {
        PrintWriter out = spec.commandLine().getOut();
        out.println("cluster " + (clusterFile == null ? "(unknown)" : clusterFile.clusterId()) + " in "
                + cluster.layout().dir());
        switch (answer) {
            case MasterProbe.Answered answered -> out.println("master " + clusterFile.masterAddress() + " answers: "
                    + answered.info().getChunkServers() + " chunk servers alive, " + answered.info().getFiles()
                    + " files, " + answered.info().getChunks() + " chunks");
            case MasterProbe.Unreachable unreachable -> out.println("master not answering: " + unreachable.reason());
        }
        out.printf("%-15s %-12s %-8s %-6s %-6s %s%n", "NAME", "ROLE", "PID", "ALIVE", "PORT", "LOG");
        for (ProcessState s : states) {
            out.printf("%-15s %-12s %-8s %-6s %-6s %s%n", s.instance().name(), s.instance().role().command(),
                    s.pid() == null ? "-" : s.pid(), s.alive() ? "yes" : "no", s.port() == null ? "?" : s.port(),
                    s.log());
        }
        mount.ifPresent(m -> out.printf("%-15s %-12s %-8s %-6s %-6s %s (%s)%n", LocalMount.NAME, "mount",
                m.pid() == null ? "-" : m.pid(), m.alive() ? "yes" : "no", "-", m.log(),
                m.mounted() ? "mounted at " + m.mountpoint() : "NOT mounted at " + m.mountpoint()));
        out.flush();
    }
}
