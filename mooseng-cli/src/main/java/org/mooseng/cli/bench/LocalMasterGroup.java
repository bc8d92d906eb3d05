package org.mooseng.cli.bench;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mooseng.cli.CliException;
import org.mooseng.cli.admin.MasterGroupClient;
import org.mooseng.cli.admin.MastersCommand;
import org.mooseng.cli.local.ClusterFile;
import org.mooseng.cli.local.Instance;
import org.mooseng.cli.local.LocalCluster;
import org.mooseng.cli.local.PidFile;
import org.mooseng.client.MasterAddress;
import org.mooseng.proto.RaftStatusReply;

/**
 * The masters of a running local cluster ({@code mooseng up --masters 3}) as the failover
 * benchmark handles them: waits until the group is steady, kills its leader with SIGKILL and,
 * once the process is gone, starts the killed master again the way {@code up} does (a daemon
 * whose PID file points to no live process of it is started; the others are left alone).
 */
final class LocalMasterGroup {
    private static final Duration SURVEY_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(100);
    /** How long a SIGKILLed process may take to disappear before the benchmark gives up on it. */
    private static final Duration DEATH_TIMEOUT = Duration.ofSeconds(10);

    /** A group with one leader, every member answering and every member applied up to the leader's commit index. */
    record Steady(Instance leader, long term, long appliedIndex) {
    }

    /** A master the benchmark sent SIGKILL: its process, and when (wall clock, for the logs, and nanoTime). */
    record Killed(Instance master, ProcessHandle process, Instant killedAt, long killNanos) {
    }

    private final LocalCluster cluster;
    private final ClusterFile clusterFile;
    /** Masters by client port: every master of a local cluster listens on loopback, each on its own port. */
    private final Map<Integer, Instance> byClientPort = new HashMap<>();

    LocalMasterGroup(LocalCluster cluster) throws IOException {
        this.cluster = cluster;
        this.clusterFile = cluster.clusterFile();
        for (Instance master : cluster.layout().configuredMasters()) {
            byClientPort.put(cluster.clientAddress(master).port(), master);
        }
    }

    int size() {
        return byClientPort.size();
    }

    ClusterFile clusterFile() {
        return clusterFile;
    }

    /**
     * Polls the group until it is steady. A fresh survey client per poll: a channel to a master
     * that was down backs off its reconnects for seconds after the master is back. On timeout
     * every running master prints a thread dump into its log first, as after a stalled kill.
     */
    Steady awaitSteady(Duration timeout) throws InterruptedException {
        long deadlineNanos = System.nanoTime() + timeout.toNanos();
        String waitingFor;
        do {
            List<MasterGroupClient.Member> members;
            try (MasterGroupClient group = new MasterGroupClient(clusterFile.clusterId())) {
                members = group.survey(clusterFile.masters(), SURVEY_TIMEOUT);
            }
            Optional<Steady> steady = steady(members);
            if (steady.isPresent()) {
                return steady.get();
            }
            waitingFor = describe(members);
            Thread.sleep(POLL_INTERVAL);
        } while (System.nanoTime() - deadlineNanos < 0);
        List<String> dumped = dumpThreads(null);
        throw new CliException("master group not steady after " + timeout.toSeconds() + " s: " + waitingFor
                + (dumped.isEmpty() ? "" : "; thread dumps of " + String.join(", ", dumped) + " are in their logs"));
    }

    private Optional<Steady> steady(List<MasterGroupClient.Member> members) {
        if (members.size() != size() || members.stream().anyMatch(m -> m.status().isEmpty())) {
            return Optional.empty();
        }
        List<MasterGroupClient.Member> leaders = members.stream().filter(MasterGroupClient.Member::isLeader).toList();
        if (leaders.size() != 1) {
            return Optional.empty();
        }
        RaftStatusReply leader = leaders.getFirst().status().orElseThrow();
        for (MasterGroupClient.Member member : members) {
            RaftStatusReply status = member.status().orElseThrow();
            if (status.getTerm() != leader.getTerm() || status.getAppliedIndex() != leader.getCommitIndex()) {
                return Optional.empty();
            }
        }
        Instance instance = byClientPort.get(leaders.getFirst().address().port());
        if (instance == null) {
            throw new CliException("leader " + leaders.getFirst().address() + " is not a master of "
                    + cluster.layout().dir());
        }
        return Optional.of(new Steady(instance, leader.getTerm(), leader.getAppliedIndex()));
    }

    private static String describe(List<MasterGroupClient.Member> members) {
        StringBuilder text = new StringBuilder();
        for (MasterGroupClient.Member member : members) {
            text.append(text.isEmpty() ? "" : "; ").append(member.address()).append(' ');
            if (member.status().isEmpty()) {
                text.append("unreachable (").append(member.error()).append(')');
            } else {
                RaftStatusReply s = member.status().get();
                text.append(MastersCommand.roleName(s.getRole())).append(" term ").append(s.getTerm())
                        .append(" commit ").append(s.getCommitIndex()).append(" applied ").append(s.getAppliedIndex());
            }
        }
        return text.isEmpty() ? "no master answered" : text.toString();
    }

    /** The client addresses of every master but {@code master}. */
    List<MasterAddress> othersThan(Instance master) throws IOException {
        List<MasterAddress> others = new ArrayList<>();
        for (Instance instance : byClientPort.values()) {
            if (!instance.equals(master)) {
                others.add(cluster.clientAddress(instance));
            }
        }
        return others;
    }

    /** The name of the master at a client address ("master-2"), or the address when it is none of them. */
    String name(MasterAddress address) {
        Instance instance = byClientPort.get(address.port());
        return instance == null ? address.toString() : instance.name();
    }

    /** Sends SIGKILL to {@code master}'s process and returns at once. */
    Killed kill(Instance master) throws IOException {
        ProcessHandle process = cluster.pidFile(master).liveProcess().orElseThrow(() ->
                new CliException(master.name() + ": no live process behind " + cluster.layout().pidFile(master)));
        Instant killedAt = Instant.now();
        long killNanos = System.nanoTime();
        if (!process.destroyForcibly()) {
            throw new CliException(master.name() + " (pid " + process.pid() + "): SIGKILL could not be sent");
        }
        return new Killed(master, process, killedAt, killNanos);
    }

    /** Waits until the killed master's process is gone, then starts it again as {@code up} would. */
    void restart(Killed killed) throws IOException, InterruptedException {
        long deadlineNanos = System.nanoTime() + DEATH_TIMEOUT.toNanos();
        while (!isGone(killed.process())) {
            if (System.nanoTime() - deadlineNanos > 0) {
                throw new CliException(killed.master().name() + " (pid " + killed.process().pid() + ") still runs "
                        + DEATH_TIMEOUT.toSeconds() + " s after SIGKILL");
            }
            Thread.sleep(1);
        }
        if (!(cluster.start(killed.master()) instanceof LocalCluster.Started)) {
            throw new CliException(killed.master().name() + " was running again before the benchmark restarted it");
        }
    }

    /**
     * Sends SIGQUIT to every live master but {@code except} (null: to all): the JVM prints a
     * thread dump to its output, which {@code up} sends to the master's log. Returns the names
     * of those signalled.
     */
    List<String> dumpThreads(Instance except) {
        List<String> signalled = new ArrayList<>();
        for (Instance master : byClientPort.values()) {
            if (master.equals(except)) {
                continue;
            }
            Optional<ProcessHandle> process;
            try {
                process = cluster.pidFile(master).liveProcess();
            } catch (IOException e) {
                continue;
            }
            if (process.isEmpty()) {
                continue;
            }
            try {
                Process kill = new ProcessBuilder("kill", "-QUIT", Long.toString(process.get().pid()))
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (kill.waitFor() == 0) {
                    signalled.add(master.name());
                }
            } catch (IOException e) {
                // No kill(1): no dump.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return signalled;
    }

    static boolean isGone(ProcessHandle process) {
        return PidFile.exited(process);
    }
}
