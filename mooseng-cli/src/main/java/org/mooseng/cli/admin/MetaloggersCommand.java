package org.mooseng.cli.admin;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.mooseng.cli.CliException;
import org.mooseng.cli.Main;
import org.mooseng.cli.Role;
import org.mooseng.cli.local.Instance;
import org.mooseng.cli.local.LocalCluster;
import org.mooseng.cli.local.LocalLayout;
import org.mooseng.cli.fs.JsonText;
import org.mooseng.cli.fs.TargetOptions;
import org.mooseng.client.ClientOptions;
import org.mooseng.metalogger.MetaloggerStatus;
import org.mooseng.metalogger.MetaloggerStatusClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code mooseng admin metaloggers}: each metalogger's state and how far it is behind the leader. */
@Command(name = "metaloggers", mixinStandardHelpOptions = true,
        description = {"Each metalogger (by its status address): whether it has joined the group, the log index it",
                "has applied and archived, its lag behind the leader's commit index, its snapshots and segments.",
                "Exit code 0 when every metalogger answers and has joined, 3 otherwise."})
public final class MetaloggersCommand implements Callable<Integer> {
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    @Spec
    CommandSpec spec;

    @Mixin
    TargetOptions target;

    @Option(names = "--at", split = ",", paramLabel = "HOST:STATUS_PORT",
            description = {"The metaloggers' status addresses (STATUS_PORT of their configuration).",
                    "Default: the metaloggers 'mooseng up' runs in the local cluster directory (--dir)."})
    List<String> statusAddresses;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    /** One metalogger as shown; {@code lag} is null when no leader answered. */
    public record MetaloggerView(String address, String state, Boolean joined, Long appliedIndex, Long archivedIndex,
                                 Long leaderCommitIndex, Long lag, Long lastSnapshotIndex, Integer snapshots,
                                 Integer segments, String problem) {
    }

    @Override
    public Integer call() throws Exception {
        ClientOptions options = target.clientOptions();
        Optional<Long> leaderCommit;
        try (MasterGroupClient group = new MasterGroupClient(options.expectedClusterId().orElse(null))) {
            leaderCommit = MasterGroupClient.leader(group.survey(options.masters(), TIMEOUT))
                    .map(m -> m.status().orElseThrow().getCommitIndex());
        }
        List<MetaloggerView> views = new ArrayList<>();
        boolean allJoined = true;
        for (String address : statusAddresses != null && !statusAddresses.isEmpty() ? statusAddresses
                : localMetaloggers()) {
            try {
                MetaloggerStatus s = MetaloggerStatusClient.fetch(address, TIMEOUT);
                views.add(new MetaloggerView(address, s.state(), s.joined(), s.appliedIndex(), s.archivedIndex(),
                        leaderCommit.orElse(null), leaderCommit.map(s::lag).orElse(null), s.lastSnapshotIndex(),
                        s.snapshots(), s.segments(), s.problem() == null || s.problem().isEmpty() ? null : s.problem()));
                allJoined &= s.joined();
            } catch (IOException e) {
                views.add(new MetaloggerView(address, "unreachable", null, null, null, leaderCommit.orElse(null), null,
                        null, null, null, e.getMessage()));
                allJoined = false;
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(JsonText.of(views));
        } else {
            out.printf("%-22s %-12s %-6s %10s %10s %8s %10s %5s %5s%n", "metalogger", "state", "joined", "applied",
                    "archived", "lag", "snapshot", "snaps", "segs");
            for (MetaloggerView v : views) {
                out.printf("%-22s %-12s %-6s %10s %10s %8s %10s %5s %5s%s%n", v.address(), v.state(), dash(v.joined()),
                        dash(v.appliedIndex()), dash(v.archivedIndex()), dash(v.lag()), dash(v.lastSnapshotIndex()),
                        dash(v.snapshots()), dash(v.segments()), v.problem() == null ? "" : "  " + v.problem());
            }
            if (leaderCommit.isEmpty()) {
                out.println("(no leader answered: lag unknown)");
            }
        }
        out.flush();
        return allJoined ? Main.EXIT_OK : Main.EXIT_NOT_RUNNING;
    }

    /** The status addresses of the local cluster's metaloggers (those 'mooseng up' configured in --dir). */
    private List<String> localMetaloggers() throws IOException {
        Path dir = spec.findOption("--dir").getValue();
        LocalCluster cluster = new LocalCluster(new LocalLayout(dir != null ? dir : Path.of(LocalLayout.DEFAULT_DIR)));
        List<String> addresses = new ArrayList<>();
        for (Instance metalogger : cluster.layout().configured(Role.METALOGGER)) {
            addresses.add(cluster.metaloggerStatusAddress(metalogger));
        }
        if (addresses.isEmpty()) {
            throw new CliException("no metalogger in the local cluster " + cluster.layout().dir() + " (start one with"
                    + " 'mooseng up --metaloggers 1'); name others with --at HOST:STATUS_PORT");
        }
        return addresses;
    }

    private static String dash(Object value) {
        return value == null ? "-" : value.toString();
    }
}
