package org.mooseng.cli.bench;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.mooseng.cli.CliException;
import org.mooseng.cli.Main;
import org.mooseng.cli.local.ClusterFile;
import org.mooseng.cli.local.LocalCluster;
import org.mooseng.cli.local.LocalLayout;
import org.mooseng.client.ClientOptions;
import org.mooseng.client.MoosengClient;
import org.mooseng.common.InodeId;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code mooseng bench failover}: kills the leader of a local master group again and again
 * under a mutation load and times how long the writers wait each time (see
 * {@link FailoverTiming} for exactly what is measured). Then checks that every mutation a
 * writer saw acknowledged is in the namespace. A benchmark, not a test: it prints numbers and
 * fails when a mutation failed, a writer never resumed, or an acknowledged change is missing.
 */
@Command(name = "failover", mixinStandardHelpOptions = true,
        description = {"Kill -9 the leader of a running local master group (up --masters 3) under load, again and "
                + "again, and time each failover: from the kill to the first mutation a writer gets "
                + "acknowledged by the new leader (one in flight at the kill that a retry completed counts). The "
                + "killed master is started again and caught up before the next kill.",
                "Prints each kill, then p50/p99/max; checks by lookup that every acknowledged change exists.",
                "Exit code 0 when no mutation failed, every writer resumed after every kill and nothing acknowledged "
                        + "is missing; 1 otherwise."})
public final class FailoverBenchCommand implements Callable<Integer> {
    /** Longest wait for every writer to resume after a kill: beyond the client's own failover timeout. */
    private static final Duration RESUME_TIMEOUT =
            Duration.ofMillis(ClientOptions.DEFAULT_FAILOVER_TIMEOUT_MS).plusSeconds(30);
    private static final Duration RESUME_POLL = Duration.ofMillis(5);
    /** Kill times as the daemons' logs print theirs, to find what the masters did meanwhile. */
    private static final DateTimeFormatter KILL_TIME =
            DateTimeFormatter.ofPattern("HH:mm:ss.SSS", Locale.ROOT).withZone(ZoneId.systemDefault());

    @Spec
    CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR", required = true,
            description = "Directory of the local cluster (as given to mooseng up): its cluster file, PID files "
                    + "and configs.")
    Path dir;

    @Option(names = "--kills", paramLabel = "N", defaultValue = "20",
            description = "Leader kills (default ${DEFAULT-VALUE}).")
    int kills;

    @Option(names = "--writers", paramLabel = "N", defaultValue = "4",
            description = "Writer threads, each with its own client and directory (default ${DEFAULT-VALUE}).")
    int writers;

    @Option(names = "--load-before-kill-ms", paramLabel = "MS", defaultValue = "1000",
            description = "How long the writers run before each kill (default ${DEFAULT-VALUE}).")
    long loadBeforeKillMs;

    @Option(names = "--steady-timeout-seconds", paramLabel = "S", defaultValue = "120",
            description = "Longest wait for the group to have one leader and every master caught up, before each "
                    + "kill and at the end (default ${DEFAULT-VALUE}).")
    int steadyTimeoutSeconds;

    @Option(names = "--stall-dump-ms", paramLabel = "MS", defaultValue = "3000",
            description = "When every writer has not resumed this long after a kill, each surviving master prints a "
                    + "thread dump into its log (SIGQUIT), to show where a slow failover waits; 0 = never "
                    + "(default ${DEFAULT-VALUE}).")
    long stallDumpMs;

    /** One kill as printed and summed up. */
    private record Round(int number, FailoverTiming timing, int acknowledged, Optional<Duration> newLeaderSeen) {
    }

    @Override
    public Integer call() throws Exception {
        checkArguments();
        PrintWriter out = spec.commandLine().getOut();
        LocalCluster cluster = new LocalCluster(new LocalLayout(dir));
        if (!cluster.exists()) {
            throw new CliException(cluster.layout().clusterFile() + ": no cluster file (start a group with: "
                    + "mooseng up --masters 3 --dir " + dir + ")");
        }
        LocalMasterGroup group = new LocalMasterGroup(cluster);
        if (group.size() < 3) {
            throw new CliException(cluster.layout().dir() + " has " + group.size() + " master(s): a failover needs "
                    + "a group of 3 or 5 (mooseng up --masters 3 in a new directory)");
        }
        ClusterFile clusterFile = group.clusterFile();
        ClientOptions options = ClientOptions.builder().masters(clusterFile.masters())
                .expectedClusterId(clusterFile.clusterId()).build();
        Duration steadyTimeout = Duration.ofSeconds(steadyTimeoutSeconds);

        List<MoosengClient> clients = new ArrayList<>();
        try (MoosengClient control = MoosengClient.connect(options)) {
            for (int i = 0; i < writers; i++) {
                clients.add(MoosengClient.connect(options));
            }
            String runName = "failover-bench-" + Instant.now().toEpochMilli();
            InodeId run = control.mkdir(InodeId.ROOT, runName, 0755).inode();
            MutationLoad load = new MutationLoad(clients, control, run);
            out.printf("failover benchmark: %d kills, %d writers, %d masters %s, writing in /%s%n", kills, writers,
                    group.size(), clusterFile.masterAddresses(), runName);
            out.flush();

            List<Round> rounds = new ArrayList<>();
            for (int k = 1; k <= kills; k++) {
                rounds.add(round(k, group, load, steadyTimeout, out));
            }
            group.awaitSteady(steadyTimeout);
            MutationLoad.Verification verification = load.verify();
            return summarize(rounds, load, verification, out);
        } finally {
            for (MoosengClient client : clients) {
                client.close();
            }
        }
    }

    /**
     * One kill: waits for a steady group, runs the load, kills the leader, watches the survivors
     * until one leads, waits until every writer resumed, stops the load, prints the round, and
     * starts the killed master again once its process is gone (also when something failed in
     * between, so the group is left as complete as it was found).
     */
    private Round round(int number, LocalMasterGroup group, MutationLoad load, Duration steadyTimeout,
                        PrintWriter out) throws Exception {
        LocalMasterGroup.Steady steady = group.awaitSteady(steadyTimeout);
        LocalMasterGroup.Killed killed = null;
        try (LeaderWatch watch = new LeaderWatch(group.othersThan(steady.leader()),
                group.clusterFile().clusterId())) {
            LeaderWatch.Election election;
            load.start();
            try {
                Thread.sleep(loadBeforeKillMs);
                killed = group.kill(steady.leader());
                Thread stallWatch = watchForStall(number, group, killed, out);
                try {
                    election = watch.await(steady.term(), killed.killNanos(), RESUME_TIMEOUT);
                    load.watchForResumeAfter(election.leaderlessUntilNanos());
                    awaitResume(load, killed.killNanos());
                } finally {
                    stallWatch.interrupt();
                }
            } finally {
                load.stop();
            }
            List<FailoverTiming.Acknowledgement> acks = load.takeAcknowledgements();
            FailoverTiming timing = FailoverTiming.of(killed.killNanos(), election.leaderlessUntilNanos(), writers,
                    acks);
            Round round = new Round(number, timing, acks.size(), election.leaderSeenNanos().isPresent()
                    ? Optional.of(Duration.ofNanos(election.leaderSeenNanos().getAsLong() - killed.killNanos()))
                    : Optional.empty());
            String newLeader = election.leader().map(a -> group.name(a) + " in term " + election.term())
                    .orElse("no master");
            printRound(round, steady, killed, newLeader, out);
            return round;
        } finally {
            if (killed != null) {
                group.restart(killed);
            }
        }
    }

    /**
     * Unless interrupted first, waits {@link #stallDumpMs} after the kill and has every other
     * master print a thread dump into its log: the one chance to see where a slow failover
     * waits, since the state is gone by the time the round is over.
     */
    private Thread watchForStall(int number, LocalMasterGroup group, LocalMasterGroup.Killed killed,
                                 PrintWriter out) {
        return Thread.ofVirtual().name("stall-watch-" + number).start(() -> {
            if (stallDumpMs <= 0) {
                return;
            }
            try {
                Thread.sleep(stallDumpMs);
            } catch (InterruptedException e) {
                return;
            }
            List<String> dumped = group.dumpThreads(killed.master());
            synchronized (out) {
                out.printf("kill %2d: writers not resumed %d ms after the kill; thread dumps of %s are in their logs%n",
                        number, stallDumpMs, dumped.isEmpty() ? "no master" : String.join(", ", dumped));
                out.flush();
            }
        });
    }

    private void checkArguments() {
        if (kills < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--kills must be at least 1");
        }
        if (writers < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--writers must be at least 1");
        }
        if (loadBeforeKillMs < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--load-before-kill-ms must not be negative");
        }
        if (steadyTimeoutSeconds < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--steady-timeout-seconds must be positive");
        }
    }

    /** Waits until every writer got a mutation acknowledged that it sent after the death, or the timeout. */
    private static void awaitResume(MutationLoad load, long killNanos) throws InterruptedException {
        long deadlineNanos = killNanos + RESUME_TIMEOUT.toNanos();
        while (!load.everyWriterResumed() && System.nanoTime() - deadlineNanos < 0) {
            Thread.sleep(RESUME_POLL);
        }
    }

    private static void printRound(Round round, LocalMasterGroup.Steady steady, LocalMasterGroup.Killed killed,
                                   String newLeader, PrintWriter out) {
        FailoverTiming t = round.timing();
        out.printf(Locale.ROOT, "kill %2d at %s: %s (pid %d, leader in term %d); %s leads, seen after %s; failover "
                        + "%s, every writer resumed %s; %d mutations acknowledged in the round%s%n",
                round.number(), KILL_TIME.format(killed.killedAt()), killed.master().name(), killed.process().pid(),
                steady.term(), newLeader, orNone(round.newLeaderSeen()), orNone(t.failover()),
                orNone(t.everyWriterResumed()), round.acknowledged(),
                t.ackedByOldLeader() == 0 ? "" : " (" + t.ackedByOldLeader() + " by the old leader after the kill)");
        out.flush();
    }

    private int summarize(List<Round> rounds, MutationLoad load, MutationLoad.Verification verification,
                          PrintWriter out) {
        List<Duration> failovers = rounds.stream().flatMap(r -> r.timing().failover().stream()).toList();
        List<Duration> everyWriter = rounds.stream().flatMap(r -> r.timing().everyWriterResumed().stream()).toList();
        List<Duration> leaderSeen = rounds.stream().flatMap(r -> r.newLeaderSeen().stream()).toList();
        out.printf("failover (kill -> first mutation acknowledged by the new leader), %d kills: %s%n", rounds.size(),
                line(failovers));
        out.printf("every writer resumed:    %s%n", line(everyWriter));
        out.printf("new leader seen by poll: %s%n", line(leaderSeen));
        int unresumed = rounds.size() - everyWriter.size();
        if (unresumed > 0) {
            out.printf("kills after which a writer got nothing acknowledged within %d s: %d%n",
                    RESUME_TIMEOUT.toSeconds(), unresumed);
        }
        List<MutationLoad.Failure> failures = load.failures();
        out.printf("mutations: %d acknowledged, %d failed%n", load.acknowledged(), failures.size());
        failures.stream().limit(20).forEach(f -> out.println("  failed: " + f.mutation() + ": " + f.error()));
        out.printf("verified by lookup: %d acknowledged names present, %d missing, %d unexpected (%d uncertain "
                        + "after a failed mutation)%n", verification.present(), verification.missing().size(),
                verification.unexpected().size(), verification.uncertain());
        verification.missing().stream().limit(20).forEach(m -> out.println("  missing: " + m));
        verification.unexpected().stream().limit(20).forEach(u -> out.println("  unexpected: " + u));
        out.flush();
        boolean passed = failures.isEmpty() && verification.passed() && unresumed == 0;
        return passed ? Main.EXIT_OK : Main.EXIT_ERROR;
    }

    private static String line(List<Duration> samples) {
        return samples.isEmpty() ? "no samples" : DurationSummary.of(samples).line();
    }

    private static String orNone(Optional<Duration> duration) {
        return duration.map(DurationSummary::millis).orElse("none");
    }
}
