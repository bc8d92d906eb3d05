package org.mooseng.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.mooseng.cli.local.PortPlan;
import org.mooseng.client.ClientOptions;
import org.mooseng.master.MasterConfig;

/**
 * The masters of a cluster started with {@code up --masters N}: who leads as {@code admin
 * masters --json} reports it, kill -9 of one master by its PID file, and a restart of just that
 * master with the command line it ran with (where {@code up} would restart every daemon that is
 * down). Master m's client port is the one {@code up}'s {@link PortPlan} gives it.
 */
final class MasterGroupProcesses {
    static final Duration STEADY_TIMEOUT = Duration.ofSeconds(40);
    private static final Pattern DIGEST = Pattern.compile(
            "(?m)^sha256 ([0-9a-f]{64})  applied index (\\d+)  cluster \\S+  \\S+$");
    private static final Pattern MEMBER = Pattern.compile(
            "\\{\"address\":\"127\\.0\\.0\\.1:(\\d+)\",\"raftAddress\":\"[^\"]+\",\"role\":\"(\\w+)\",\"term\":(\\d+),"
                    + "\"commitIndex\":(\\d+),\"appliedIndex\":(\\d+)");

    /** One master that answered {@code admin masters}; {@code master} is its number (1..N). */
    record Member(int master, int clientPort, String role, long term, long commit, long applied) {
        boolean isLeader() {
            return role.equals("leader");
        }
    }

    /**
     * A master killed with SIGKILL: its number, the PID it had, and the command line and working
     * directory it ran with, read from /proc before the kill so that it can be started again as it was.
     */
    record Killed(int master, long pid, List<String> commandLine, Path workingDirectory) {
    }

    private final LocalClusterProcesses cluster;
    private final Path workDir;
    private final int masters;

    MasterGroupProcesses(LocalClusterProcesses cluster, Path workDir, int masters) {
        this.cluster = cluster;
        this.workDir = workDir;
        this.masters = masters;
    }

    int clientPort(int master) {
        return new PortPlan(cluster.basePort()).masterClient(master);
    }

    String daemon(int master) {
        return "master-" + master;
    }

    /** Client options listing every master of the group, for the client library in the test JVM. */
    ClientOptions.Builder clientOptions() throws IOException {
        String addresses = String.join(",", IntStream.rangeClosed(1, masters)
                .mapToObj(m -> "127.0.0.1:" + clientPort(m)).toList());
        return ClientOptions.builder().master(addresses).expectedClusterId(cluster.clusterId());
    }

    /** The election timeout the masters run with: their config's, else the master's default. */
    long electionTimeoutMs() throws IOException {
        String key = MasterConfig.RAFT_ELECTION_TIMEOUT_MS.name();
        Matcher m = Pattern.compile("(?m)^" + key + " = (\\d+)").matcher(Files.readString(cluster.config(daemon(1))));
        return m.find() ? Long.parseLong(m.group(1)) : MasterConfig.RAFT_ELECTION_TIMEOUT_MS.defaultValue();
    }

    /** Runs {@code bin/mooseng args… --dir DIR}. */
    Launcher.Result command(String... args) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--dir", cluster.dir().toString()));
        return Launcher.run(LocalClusterProcesses.COMMAND_TIMEOUT, workDir, all.toArray(String[]::new));
    }

    /** The masters that answer {@code admin masters --json} now (an unreachable one is left out), and its output. */
    Survey survey() throws IOException, InterruptedException {
        Launcher.Result run = command("admin", "masters", "--json");
        List<Member> found = new ArrayList<>();
        Matcher m = MEMBER.matcher(run.out());
        while (m.find()) {
            int port = Integer.parseInt(m.group(1));
            found.add(new Member(masterOf(port), port, m.group(2), Long.parseLong(m.group(3)),
                    Long.parseLong(m.group(4)), Long.parseLong(m.group(5))));
        }
        return new Survey(found, run);
    }

    /** What one {@code admin masters --json} showed. */
    record Survey(List<Member> members, Launcher.Result run) {
        Optional<Member> leader() {
            return members.stream().filter(Member::isLeader).findFirst();
        }
    }

    /**
     * Waits until {@code admin masters --json} shows one leader and {@code answering - 1}
     * followers, all at one commit index and applied up to it; returns them.
     */
    List<Member> awaitSteady(int answering) {
        AtomicReference<List<Member>> last = new AtomicReference<>();
        await().atMost(STEADY_TIMEOUT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            Survey survey = survey();
            List<Member> group = survey.members();
            assertThat(group).as(survey.run().toString()).extracting(Member::role).containsOnlyOnce("leader")
                    .filteredOn("follower"::equals).hasSize(answering - 1);
            assertThat(group).extracting(Member::commit).as(survey.run().out())
                    .containsOnly(group.getFirst().commit());
            assertThat(group).extracting(Member::applied).as(survey.run().out())
                    .containsOnly(group.getFirst().commit());
            last.set(group);
        });
        return last.get();
    }

    static Member leaderOf(List<Member> group) {
        return group.stream().filter(Member::isLeader).findFirst()
                .orElseThrow(() -> new AssertionError("no leader in " + group));
    }

    /** SIGKILLs master {@code master} and waits until its process is dead (gone or a zombie). */
    Killed kill9(int master) throws IOException {
        return kill9(List.of(master)).getFirst();
    }

    /**
     * SIGKILLs the given masters all at once (so that no election can happen between two kills)
     * and waits until their processes are dead (gone or zombies).
     */
    List<Killed> kill9(List<Integer> targets) throws IOException {
        List<Killed> killed = new ArrayList<>();
        List<ProcessHandle> processes = new ArrayList<>();
        for (int master : targets) {
            Path pidFile = cluster.dir().resolve("run/" + daemon(master) + ".pid");
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            ProcessHandle process = ProcessHandle.of(pid)
                    .orElseThrow(() -> new AssertionError(daemon(master) + " (pid " + pid + ") is not running"));
            // /proc keeps the arguments exactly (NUL-separated), where ProcessHandle.Info may cut them short.
            byte[] raw = Files.readAllBytes(Path.of("/proc", String.valueOf(pid), "cmdline"));
            List<String> commandLine = Arrays.stream(new String(raw, StandardCharsets.UTF_8).split("\0"))
                    .filter(s -> !s.isEmpty()).toList();
            assertThat(commandLine).as(daemon(master) + " command line")
                    .contains(cluster.config(daemon(master)).toString());
            Path cwd = Files.readSymbolicLink(Path.of("/proc", String.valueOf(pid), "cwd"));
            killed.add(new Killed(master, pid, commandLine, cwd));
            processes.add(process);
        }
        processes.forEach(ProcessHandle::destroyForcibly); // SIGKILL
        for (Killed k : killed) {
            await(daemon(k.master()) + " (pid " + k.pid() + ") dead after kill -9").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(5)).until(() -> isDead(k.pid()));
        }
        return killed;
    }

    /**
     * Whether a process is gone or a zombie. A daemon of {@code up} is not this JVM's child, so
     * ProcessHandle.onExit only sees its death once whoever adopted it has reaped it, which may take
     * seconds; a zombie already holds no socket and no lock.
     */
    private static boolean isDead(long pid) throws IOException {
        Path stat = Path.of("/proc", String.valueOf(pid), "stat");
        String line;
        try {
            line = Files.readString(stat);
        } catch (NoSuchFileException e) {
            return true;
        }
        // pid (comm) state ...: comm may hold spaces and parentheses, the state follows the last ')'.
        char state = line.charAt(line.lastIndexOf(')') + 2);
        return state == 'Z' || state == 'X';
    }

    /**
     * Starts a killed master again with the command line it ran with, its output appended to
     * its log and its PID in its PID file (so that {@link LocalClusterProcesses#close} stops it);
     * the other daemons are left as they are.
     */
    long restart(Killed killed) throws IOException {
        Path log = cluster.dir().resolve("log").resolve(daemon(killed.master()) + ".log");
        Files.writeString(log, "---- test: restarting " + daemon(killed.master()) + " at " + Instant.now() + "\n",
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Process process = new ProcessBuilder(killed.commandLine()).directory(killed.workingDirectory().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        Files.writeString(cluster.dir().resolve("run/" + daemon(killed.master()) + ".pid"), process.pid() + "\n");
        return process.pid();
    }

    /** One line of {@code admin digest}: the SHA-256 of a whole namespace, the index it was applied up to. */
    record Digest(int master, String sha256, long appliedIndex) {
    }

    /**
     * {@code admin digest} of every master's store (DATA_DIR); only while the masters are
     * stopped. On a difference, the namespaces' lines are in the failure message.
     */
    List<Digest> digestsOfStoppedMasters() throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("admin", "digest", "--scratch", workDir.resolve("scratch")
                .toString()));
        for (int m = 1; m <= masters; m++) {
            args.add(cluster.configValue(daemon(m), "DATA_DIR"));
        }
        Launcher.Result run = Launcher.run(LocalClusterProcesses.COMMAND_TIMEOUT, workDir, args.toArray(String[]::new));
        assertThat(run.exitCode()).as(run.toString()).isZero();
        List<Digest> digests = new ArrayList<>();
        Matcher m = DIGEST.matcher(run.out());
        for (int master = 1; m.find(); master++) {
            digests.add(new Digest(master, m.group(1), Long.parseLong(m.group(2))));
        }
        assertThat(digests).as(run.toString()).hasSize(masters);
        if (digests.stream().map(Digest::sha256).distinct().count() > 1) {
            args.add(2, "--lines");
            Launcher.Result lines = Launcher.run(LocalClusterProcesses.COMMAND_TIMEOUT, workDir,
                    args.toArray(String[]::new));
            throw new AssertionError("the masters' namespaces differ: " + digests + "\n" + lines.out());
        }
        return digests;
    }

    /** Whether master {@code master}'s PID file names a live process (not a zombie). */
    boolean isRunning(int master) throws IOException {
        Path pidFile = cluster.dir().resolve("run/" + daemon(master) + ".pid");
        if (!Files.exists(pidFile)) {
            return false;
        }
        return !isDead(Long.parseLong(Files.readString(pidFile).strip()));
    }

    /** The master (1..N) whose client port is {@code port}. */
    int masterOf(int port) {
        return IntStream.rangeClosed(1, masters).filter(m -> clientPort(m) == port).findFirst().orElseThrow(() ->
                new AssertionError("port " + port + " is no master's client port (base " + cluster.basePort() + ")"));
    }
}
