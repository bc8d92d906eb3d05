package org.mooseng.cli.local;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import org.mooseng.cli.CliException;
import org.mooseng.cli.Main;
import org.mooseng.cli.admin.MasterGroupClient;
import org.mooseng.cli.admin.MastersCommand;
import org.mooseng.cli.mount.LocalMount;
import org.mooseng.client.MasterAddress;
import org.mooseng.proto.ClusterInfoReply;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "status", description = {
        "Show the daemons of a local cluster, each master's role in the group, and what the leader reports.",
        "Exit code 0 when every daemon runs and one master leads, 3 otherwise."})
public final class StatusCommand implements Callable<Integer> {
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);

    @Spec
    CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = LocalLayout.DEFAULT_DIR,
            description = "Directory of the cluster (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    /**
     * One daemon as status reports it; {@code port} is null when its config cannot be read,
     * {@code raftRole} is a master's or metalogger's part in the group (null for chunk servers).
     */
    record ProcessState(Instance instance, Long pid, boolean alive, Long port, Path log, String raftRole) {
        String toJson() {
            Json.ObjectWriter json = new Json.ObjectWriter()
                    .field("name", instance.name())
                    .field("role", instance.role().command())
                    .field("pid", pid)
                    .field("alive", alive)
                    .field("port", port)
                    .field("log", log.toString());
            if (instance.role() != org.mooseng.cli.Role.CHUNKSERVER) {
                json.field("raftRole", raftRole);
            }
            return json.toString();
        }

        String roleText() {
            return raftRole == null ? instance.role().command() : instance.role().command() + "/" + raftRole;
        }
    }

    @Override
    public Integer call() throws Exception {
        LocalCluster cluster = new LocalCluster(new LocalLayout(dir));
        List<Instance> instances = cluster.layout().configuredInstances();
        if (instances.isEmpty()) {
            throw new CliException("no local cluster in " + cluster.layout().dir() + " (start one with: mooseng up)");
        }
        ClusterFile clusterFile = Files.exists(cluster.layout().clusterFile()) ? cluster.clusterFile() : null;
        List<MasterGroupClient.Member> members = survey(clusterFile);
        List<ProcessState> states = new ArrayList<>();
        for (Instance instance : instances) {
            states.add(state(cluster, instance, members));
        }
        // The leader's view of the cluster; while none is known, any master's.
        Optional<MasterGroupClient.Member> leader = MasterGroupClient.leader(members);
        MasterAddress asked = leader.map(MasterGroupClient.Member::address)
                .or(() -> members.stream().filter(m -> m.status().isPresent()).map(MasterGroupClient.Member::address)
                        .findFirst())
                .orElse(clusterFile == null ? null : clusterFile.masters().getFirst());
        MasterProbe.Answer answer = new MasterProbe.Unreachable("no " + ClusterFile.FILE_NAME);
        if (asked != null) {
            try (MasterProbe probe = new MasterProbe(asked.host(), asked.port(), clusterFile.clusterId())) {
                answer = probe.clusterInfo(PROBE_TIMEOUT);
            }
        }
        java.util.Optional<LocalMount.State> mount = new LocalMount(cluster.layout()).state();
        if (json) {
            printJson(cluster, clusterFile, asked, states, answer, mount);
        } else {
            printText(cluster, clusterFile, asked, leader.isPresent(), states, answer, mount);
        }
        boolean mountHealthy = mount.map(m -> m.alive() && m.mounted()).orElse(true);
        boolean healthy = states.stream().allMatch(ProcessState::alive) && answer instanceof MasterProbe.Answered
                && leader.isPresent() && mountHealthy;
        return healthy ? Main.EXIT_OK : Main.EXIT_NOT_RUNNING;
    }

    /** Every master's answer (none without a cluster file). */
    private static List<MasterGroupClient.Member> survey(ClusterFile clusterFile) throws InterruptedException {
        if (clusterFile == null) {
            return List.of();
        }
        try (MasterGroupClient group = new MasterGroupClient(clusterFile.clusterId())) {
            return group.survey(clusterFile.masters(), PROBE_TIMEOUT);
        }
    }

    private static ProcessState state(LocalCluster cluster, Instance instance, List<MasterGroupClient.Member> members)
            throws IOException {
        PidFile pidFile = cluster.pidFile(instance);
        OptionalLong pid = pidFile.pid();
        boolean alive = pidFile.liveProcess().isPresent();
        Long port;
        try {
            port = cluster.mainPort(instance);
        } catch (CliException e) {
            port = null;
        }
        String raftRole = null;
        if (instance.role() == org.mooseng.cli.Role.MASTER) {
            raftRole = "unreachable";
            try {
                MasterAddress address = cluster.clientAddress(instance);
                raftRole = members.stream().filter(m -> m.address().equals(address)).findFirst()
                        .flatMap(MasterGroupClient.Member::status)
                        .map(s -> MastersCommand.roleName(s.getRole())).orElse("unreachable");
            } catch (CliException e) {
                // Its config cannot be read: the port shows "?" as well.
            }
        }
        if (instance.role() == org.mooseng.cli.Role.METALOGGER) {
            raftRole = metaloggerRole(cluster, instance);
        }
        return new ProcessState(instance, pid.isPresent() ? pid.getAsLong() : null, alive, port,
                cluster.layout().logFile(instance), raftRole);
    }

    /** "learner" once the metalogger has joined the group, else its own state, or "unreachable". */
    private static String metaloggerRole(LocalCluster cluster, Instance metalogger) {
        try {
            org.mooseng.metalogger.MetaloggerStatus status = org.mooseng.metalogger.MetaloggerStatusClient.fetch(
                    cluster.metaloggerStatusAddress(metalogger), PROBE_TIMEOUT);
            return status.joined() ? "learner" : status.state();
        } catch (IOException | CliException e) {
            return "unreachable";
        }
    }

    private void printJson(LocalCluster cluster, ClusterFile clusterFile, MasterAddress asked,
                           List<ProcessState> states, MasterProbe.Answer answer,
                           java.util.Optional<LocalMount.State> mount) {
        Json.ObjectWriter master = new Json.ObjectWriter()
                .field("address", asked == null ? null : asked.toString());
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

    private void printText(LocalCluster cluster, ClusterFile clusterFile, MasterAddress asked, boolean leaderKnown,
                           List<ProcessState> states, MasterProbe.Answer answer,
                           java.util.Optional<LocalMount.State> mount) {
        PrintWriter out = spec.commandLine().getOut();
        out.println("cluster " + (clusterFile == null ? "(unknown)" : clusterFile.clusterId()) + " in "
                + cluster.layout().dir());
        switch (answer) {
            case MasterProbe.Answered answered -> out.println((leaderKnown ? "leader " : "master (no leader known) ")
                    + asked + " answers: " + answered.info().getChunkServers() + " chunk servers alive, "
                    + answered.info().getFiles() + " files, " + answered.info().getChunks() + " chunks");
            case MasterProbe.Unreachable unreachable -> out.println("master not answering: " + unreachable.reason());
        }
        out.printf("%-15s %-18s %-8s %-6s %-6s %s%n", "NAME", "ROLE", "PID", "ALIVE", "PORT", "LOG");
        for (ProcessState s : states) {
            out.printf("%-15s %-18s %-8s %-6s %-6s %s%n", s.instance().name(), s.roleText(),
                    s.pid() == null ? "-" : s.pid(), s.alive() ? "yes" : "no", s.port() == null ? "?" : s.port(),
                    s.log());
        }
        mount.ifPresent(m -> out.printf("%-15s %-18s %-8s %-6s %-6s %s (%s)%n", LocalMount.NAME, "mount",
                m.pid() == null ? "-" : m.pid(), m.alive() ? "yes" : "no", "-", m.log(),
                m.mounted() ? "mounted at " + m.mountpoint() : "NOT mounted at " + m.mountpoint()));
        out.flush();
    }
}
