package org.mooseng.cli.admin;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.mooseng.cli.Main;
import org.mooseng.cli.fs.JsonText;
import org.mooseng.cli.fs.TargetOptions;
import org.mooseng.client.ClientOptions;
import org.mooseng.proto.MasterRole;
import org.mooseng.proto.RaftStatusReply;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code mooseng admin masters}: every master of the group and its Raft state. */
@Command(name = "masters", mixinStandardHelpOptions = true,
        description = {"Every master of the group: address, role, term, commit and applied index, lag behind the "
                + "leader, and when it last heard from the leader.",
                "Masters named by the ones given (-H or the local cluster file) are asked too.",
                "Exit code 0 when exactly one leader is known, 3 otherwise."})
public final class MastersCommand implements Callable<Integer> {
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    @Spec
    CommandSpec spec;

    @Mixin
    TargetOptions target;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    /**
     * One master as {@code admin masters} shows it. {@code lagEntries} is how many committed
     * entries it has yet to apply (the leader's commit index minus its applied index).
     */
    public record MasterState(String address, String raftAddress, String role, Long term, Long commitIndex,
                              Long appliedIndex, Long lastLogIndex, Long lagEntries, Long leaderContactAgeMs,
                              String error) {
    }

    /** The whole view: the leader's client address (null when none is known) and every master. */
    public record GroupState(String leader, List<MasterState> masters) {
    }

    @Override
    public Integer call() throws Exception {
        ClientOptions options = target.clientOptions();
        List<MasterGroupClient.Member> members;
        try (MasterGroupClient group = new MasterGroupClient(options.expectedClusterId().orElse(null))) {
            members = group.survey(options.masters(), TIMEOUT);
        }
        GroupState state = view(members);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(JsonText.of(state));
        } else {
            printTable(state, out);
        }
        out.flush();
        long leaders = members.stream().filter(MasterGroupClient.Member::isLeader).count();
        return leaders == 1 ? Main.EXIT_OK : Main.EXIT_NOT_RUNNING;
    }

    static GroupState view(List<MasterGroupClient.Member> members) {
        Optional<MasterGroupClient.Member> leader = MasterGroupClient.leader(members);
        Optional<Long> leaderCommit = leader.map(m -> m.status().orElseThrow().getCommitIndex());
        List<MasterState> states = members.stream().map(m -> state(m, leaderCommit)).toList();
        return new GroupState(leader.map(m -> m.address().toString()).orElse(null), states);
    }

    private static MasterState state(MasterGroupClient.Member member, Optional<Long> leaderCommit) {
        if (member.status().isEmpty()) {
            return new MasterState(member.address().toString(), null, "unreachable", null, null, null, null, null,
                    null, member.error());
        }
        RaftStatusReply s = member.status().get();
        Long lag = leaderCommit.map(commit -> Math.max(0, commit - s.getAppliedIndex())).orElse(null);
        Long contact = s.getLeaderContactAgeMs() < 0 ? null : s.getLeaderContactAgeMs();
        return new MasterState(member.address().toString(), s.getSelf().getRaftAddress(), roleName(s.getRole()),
                s.getTerm(), s.getCommitIndex(), s.getAppliedIndex(), s.getLastLogIndex(), lag, contact, null);
    }

    public static String roleName(MasterRole role) {
        return switch (role) {
            case LEADER -> "leader";
            case FOLLOWER -> "follower";
            case CANDIDATE -> "candidate";
            case LEARNER -> "learner";
            case NON_MEMBER -> "non-member";
            case INACTIVE -> "inactive";
            case MASTER_ROLE_UNSPECIFIED, UNRECOGNIZED -> "unknown";
        };
    }

    private static void printTable(GroupState state, PrintWriter out) {
        out.println(state.leader() == null ? "no leader known" : "leader: " + state.leader());
        out.printf("%-22s %-22s %-11s %6s %10s %10s %8s %12s%n", "ADDRESS", "RAFT", "ROLE", "TERM", "COMMIT",
                "APPLIED", "LAG", "CONTACT");
        for (MasterState m : state.masters()) {
            if (m.error() != null) {
                out.printf("%-22s %-22s %-11s %s%n", m.address(), "-", m.role(), m.error());
                continue;
            }
            out.printf("%-22s %-22s %-11s %6d %10d %10d %8s %12s%n", m.address(), m.raftAddress(), m.role(),
                    m.term(), m.commitIndex(), m.appliedIndex(), m.lagEntries() == null ? "?" : m.lagEntries(),
                    contact(m));
        }
    }

    private static String contact(MasterState m) {
        if ("leader".equals(m.role())) {
            return "-";
        }
        return m.leaderContactAgeMs() == null ? "never"
                : String.format(Locale.ROOT, "%d ms ago", m.leaderContactAgeMs());
    }
}
