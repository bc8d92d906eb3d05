package org.mooseng.cli.admin;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.mooseng.cli.Main;
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

    @Option(names = "--at", required = true, split = ",", paramLabel = "HOST:STATUS_PORT",
            description = "The metaloggers' status addresses (STATUS_PORT of their configuration).")
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
        for (String address : statusAddresses) {
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

    private static String dash(Object value) {
        return value == null ? "-" : value.toString();
    }
}
