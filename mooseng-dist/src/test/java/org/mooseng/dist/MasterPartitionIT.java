package org.mooseng.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.cli.admin.MasterGroupClient;
import org.mooseng.client.ClientOptions;
import org.mooseng.client.DirectoryEntry;
import org.mooseng.client.FileStat;
import org.mooseng.client.MasterAddress;
import org.mooseng.client.MoosengClient;
import org.mooseng.client.MoosengException;
import org.mooseng.common.InodeId;
import org.mooseng.common.Status;
import org.mooseng.proto.MasterRole;
import org.mooseng.proto.RaftStatusReply;

/**
 * Three masters of the built distribution, each in its own network namespace, and the leader
 * cut off from the other two by blackhole routes while the test, in the root namespace, still
 * reaches all three. The other two elect a leader in a higher term and acknowledge changes; the
 * one cut off acknowledges nothing (a change sent to it right after the cut fails, its commit
 * index stays where it was), stops reporting itself leader and refuses reads and changes. After
 * the routes are removed it follows the new leader in its term, holds the same log, and, made
 * leader again, shows every acknowledged change and neither change it was sent while cut off.
 *
 * <p>Each acknowledged change is sent to one master only, by a client that never resends, so
 * the master that acknowledged it is known; its term is the master's term just before and just
 * after the call when both agree and the master led throughout. No term may have two masters
 * acknowledging, nor two masters reporting themselves leader (sampled all along), nor two
 * masters logging "leader of term N".
 */
class MasterPartitionIT {
    private static final int MASTERS = 3;
    private static final int RAFT_PORT = 9419;
    private static final int CHUNKSERVER_PORT = 9420;
    private static final int CLIENT_PORT = 9421;
    /** Twice the default, so a loaded machine does not cause needless elections. */
    private static final int ELECTION_TIMEOUT_MS = 2_000;
    private static final String MASTER_JAVA_OPTS = "-Xmx256m -XX:ActiveProcessorCount=2 -XX:+UseSerialGC";
    private static final Duration CLI_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STARTUP = Duration.ofSeconds(90);
    private static final Duration FAILOVER = Duration.ofSeconds(30);
    private static final Duration SURVEY_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration SAMPLE_INTERVAL = Duration.ofMillis(250);
    private static final long CALL_TIMEOUT_MS = 20_000;
    /** The client that knows only the leader cut off keeps retrying longer than the partition lasts. */
    private static final long RETRY_THROUGH_PARTITION_MS = 120_000;
    private static final int ACKS_PER_PHASE = 3;
    private static final String CUT_OFF_WHILE_LEADING = "cut-off-while-leading";
    private static final String CUT_OFF_AFTER_STEP_DOWN = "cut-off-after-step-down";
    private static final String RETRIED_THROUGH_HEAL = "retried-through-heal";
    private static final Pattern LEADER_LOG_LINE = Pattern.compile("master raft ([\\d.]+):\\d+: leader of term (\\d+)");
    private static final Pattern MEMBER_JSON = Pattern.compile("\\{\"address\":\"([\\d.]+):\\d+\",\"raftAddress\":"
            + "\"[^\"]+\",\"role\":\"(\\w+)\",\"term\":(\\d+),\"commitIndex\":(\\d+),\"appliedIndex\":(\\d+)");

    @TempDir
    Path dir;

    private final String clusterId = UUID.randomUUID().toString();
    private final List<Ack> acks = new ArrayList<>();
    /** Changes sent during an acknowledged phase whose call failed: they may or may not exist. */
    private final Set<String> outcomeUnknown = new TreeSet<>();
    private final Queue<Seen> seen = new ConcurrentLinkedQueue<>();
    private final long startNanos = System.nanoTime();
    private final MoosengClient[] pinned = new MoosengClient[MASTERS + 1];
    private NetworkNamespaces net;
    private MasterGroupClient group;

    /**
     * A change that was acknowledged: the name it created, and the master and term that
     * acknowledged it (0 for either when not known: the term moved during the call, or the
     * client followed a redirect).
     */
    private record Ack(String name, int master, long term) {
    }

    /** One master's role and term as the sampler saw it. */
    private record Seen(int master, MasterRole role, long term) {
    }

    /** One master in {@code admin masters --json}. */
    private record Listed(int master, String role, long term, long commitIndex, long appliedIndex) {
    }

    @Test
    void theLeaderCutOffStopsServingAndNoTermHasTwoAcknowledgingLeaders() throws Exception {
        List<Launcher.Background> masters = new ArrayList<>();
        try (NetworkNamespaces network = NetworkNamespaces.create(MASTERS);
             MasterGroupClient admin = new MasterGroupClient(clusterId);
             ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor()) {
            net = network;
            group = admin;
            Thread sampler = null;
            try {
                startMasters(masters);
                awaitOneLeaderThroughCli();
                progress("a leader elected");
                for (int m = 1; m <= MASTERS; m++) {
                    pinned[m] = connect(m, 0);
                }
                sampler = Thread.ofVirtual().name("raft-sampler").start(this::sample);
                partitionAndHeal(calls);
                assertOneLeaderPerTerm(sampler);
            } catch (Throwable t) {
                printLogTails();
                throw t;
            } finally {
                if (sampler != null) {
                    sampler.interrupt();
                    sampler.join(Duration.ofSeconds(10));
                }
                for (MoosengClient client : pinned) {
                    if (client != null) {
                        client.close();
                    }
                }
                masters.forEach(Launcher.Background::close);
            }
        }
    }

    private void partitionAndHeal(ExecutorService calls) throws Exception {
        acknowledgeOnLeader("before-", allMasters());
        progress("changes acknowledged before the cut");
        RaftStatusReply lastLead = currentLeader(allMasters());
        int old = memberOf(lastLead);
        List<Integer> others = allMasters().stream().filter(m -> m != old).toList();
        try (MoosengClient retrying = connect(old, RETRY_THROUGH_PARTITION_MS)) {
            for (int other : others) {
                net.cut(old, other);
            }
            long cutAtNanos = System.nanoTime();
            // Sent at once, while the master cut off still leads: it can append them, never commit them.
            Future<FileStat> whileLeading = calls.submit(() -> pinned[old].mkdir(InodeId.ROOT, CUT_OFF_WHILE_LEADING,
                    0755));
            Future<FileStat> retried = calls.submit(() -> retrying.mkdir(InodeId.ROOT, RETRIED_THROUGH_HEAL, 0755));
            RaftStatusReply atCut = status(old);
            assertThat(atCut.getRole()).as("master %d right after the cut", old).isEqualTo(MasterRole.LEADER);
            assertThat(atCut.getTerm()).isEqualTo(lastLead.getTerm());

            RaftStatusReply newLeader = awaitLeader(others, "a leader among masters " + others + " in a term above "
                    + atCut.getTerm(), s -> s.getTerm() > atCut.getTerm());
            await("master " + old + " no longer reporting itself leader").atMost(FAILOVER)
                    .pollInterval(Duration.ofMillis(100)).until(() -> status(old).getRole() != MasterRole.LEADER);
            progress("master " + old + ", cut off in term " + atCut.getTerm() + ", stepped down "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cutAtNanos) + " ms after the cut; master "
                    + memberOf(newLeader) + " leads term " + newLeader.getTerm());
            assertCutOffServesNothing(old, atCut, newLeader.getTerm(), whileLeading);

            acknowledgeOnLeader("during-", others);
            int leaderNow = memberOf(currentLeader(others));
            assertThat(names(pinned[leaderNow].list(InodeId.ROOT))).as("what the majority side serves")
                    .containsAll(acks.stream().map(Ack::name).toList())
                    .doesNotContain(CUT_OFF_WHILE_LEADING, CUT_OFF_AFTER_STEP_DOWN);
            List<Listed> view = adminMasters();
            assertThat(view).filteredOn(l -> l.role().equals("leader")).extracting(Listed::master)
                    .containsExactly(leaderNow);
            assertThat(view).filteredOn(l -> l.master() == old).extracting(Listed::role).singleElement()
                    .isNotEqualTo("leader");
            progress("changes acknowledged by the majority side");
            assertThat(retried.isDone()).as("a client knowing only master %d answered while it was cut off", old)
                    .isFalse();

            for (int other : others) {
                net.heal(old, other);
            }
            // The master it knows now follows and names the leader: the resend is applied there, once.
            assertThat(retried.get(FAILOVER.toMillis() + CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS).isDirectory())
                    .isTrue();
            acks.add(new Ack(RETRIED_THROUGH_HEAL, 0, 0));
            progress("healed; the retried change acknowledged");
        }
        assertRejoinsWithEveryAcknowledgedChange(old);
    }

    /**
     * The master cut off: the change sent right after the cut is not acknowledged, its commit
     * index has not moved, its term has not passed the new leader's, and it refuses changes and
     * reads (it knows no leader to name).
     */
    private void assertCutOffServesNothing(int old, RaftStatusReply atCut, long newTerm, Future<FileStat> whileLeading)
            throws Exception {
        try {
            FileStat stat = whileLeading.get(FAILOVER.toMillis() + CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            throw new AssertionError("master " + old + " acknowledged " + CUT_OFF_WHILE_LEADING + " while cut off: "
                    + stat);
        } catch (ExecutionException e) {
            progress(CUT_OFF_WHILE_LEADING + " not acknowledged: " + e.getCause().getMessage());
            assertThat(e.getCause()).isInstanceOfSatisfying(MoosengException.class, m -> assertThat(m.status())
                    .as(m.getMessage()).isIn(Status.NOT_LEADER, Status.ETIMEDOUT));
        }
        RaftStatusReply cutOff = status(old);
        progress("master " + old + " cut off: term " + cutOff.getTerm() + ", commit index " + cutOff.getCommitIndex()
                + ", last log index " + cutOff.getLastLogIndex());
        assertThat(cutOff.getCommitIndex()).as("commit index of master %d while cut off", old)
                .isEqualTo(atCut.getCommitIndex());
        assertThat(cutOff.getTerm()).as("term of master %d while cut off", old).isLessThan(newTerm);
        assertRefused(() -> pinned[old].mkdir(InodeId.ROOT, CUT_OFF_AFTER_STEP_DOWN, 0755));
        assertRefused(() -> pinned[old].stat(InodeId.ROOT));
    }

    /**
     * After healing: master {@code old} follows in the leader's term with the same log; made leader
     * again (leadership transfer) it shows every acknowledged change and neither refused one.
     */
    private void assertRejoinsWithEveryAcknowledgedChange(int old) throws Exception {
        RaftStatusReply leader = awaitRejoinedAsFollower(old);
        List<Listed> view = adminMasters();
        assertThat(view).hasSize(MASTERS).extracting(Listed::term).containsOnly(leader.getTerm());
        assertThat(view).filteredOn(l -> l.master() == old).extracting(Listed::role).containsExactly("follower");
        assertThat(view).extracting(Listed::commitIndex).containsOnly(leader.getCommitIndex());
        assertThat(view).extracting(Listed::appliedIndex).containsOnly(leader.getCommitIndex());
        progress("master " + old + " follows in term " + leader.getTerm() + " at commit index "
                + leader.getCommitIndex());

        Launcher.Result transfer = Launcher.run(CLI_TIMEOUT, dir, "admin", "transfer-leader", "--to",
                clientAddress(old), "-H", allClientAddresses());
        assertThat(transfer.exitCode()).as(transfer.toString()).isZero();
        acknowledgeOnLeader("after-heal-", List.of(old));
        progress("master " + old + " leads again and acknowledges");
        Set<String> acked = acks.stream().map(Ack::name).collect(Collectors.toCollection(TreeSet::new));
        Set<String> allowed = new TreeSet<>(acked);
        allowed.addAll(outcomeUnknown);
        assertThat(names(pinned[old].list(InodeId.ROOT))).as("master %d's namespace, read from it", old)
                .containsAll(acked).doesNotContain(CUT_OFF_WHILE_LEADING, CUT_OFF_AFTER_STEP_DOWN)
                .isSubsetOf(allowed);
    }

    // ------------------------------------------------------------------ acknowledged changes

    /**
     * Sends changes, one at a time, to whichever of {@code among} leads, until
     * {@value #ACKS_PER_PHASE} were acknowledged by a master that led in one term throughout.
     */
    private void acknowledgeOnLeader(String prefix, List<Integer> among) throws Exception {
        int attributed = 0;
        for (int attempt = 0; attempt < 4 * ACKS_PER_PHASE && attributed < ACKS_PER_PHASE; attempt++) {
            RaftStatusReply before = currentLeader(among);
            int master = memberOf(before);
            String name = prefix + attempt;
            try {
                if (attempt % 2 == 0) {
                    pinned[master].mkdir(InodeId.ROOT, name, 0755);
                } else {
                    pinned[master].create(InodeId.ROOT, name, 0644, true);
                }
            } catch (MoosengException e) {
                System.out.println(name + " to master " + master + ": " + e.getMessage());
                outcomeUnknown.add(name);
                continue;
            }
            RaftStatusReply after = status(master);
            boolean ledThroughout = after.getRole() == MasterRole.LEADER && after.getTerm() == before.getTerm();
            acks.add(new Ack(name, master, ledThroughout ? before.getTerm() : 0));
            attributed += ledThroughout ? 1 : 0;
        }
        assertThat(attributed).as("changes %s* acknowledged within one term of one leader: %s", prefix, acks)
                .isEqualTo(ACKS_PER_PHASE);
    }

    private void progress(String what) {
        System.out.printf("%6d ms  %s%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos), what);
    }

    private static void assertRefused(Callable<?> call) {
        assertThatThrownBy(call::call).isInstanceOfSatisfying(MoosengException.class,
                e -> assertThat(e.status()).as(e.getMessage()).isEqualTo(Status.NOT_LEADER));
    }

    private static Set<String> names(List<DirectoryEntry> entries) {
        return entries.stream().map(DirectoryEntry::name).collect(Collectors.toCollection(TreeSet::new));
    }

    // ------------------------------------------------------------------ one leader per term

    /** Acknowledgements, leader roles the sampler saw, and the masters' own logs: one master per term. */
    private void assertOneLeaderPerTerm(Thread sampler) throws Exception {
        long lastTerm = currentLeader(allMasters()).getTerm();
        await("the sampler seeing the leader of term " + lastTerm).atMost(FAILOVER)
                .until(() -> seen.stream().anyMatch(s -> s.role() == MasterRole.LEADER && s.term() == lastTerm));
        sampler.interrupt();
        sampler.join(Duration.ofSeconds(10));
        Map<Long, Set<Integer>> acknowledging = new TreeMap<>();
        acks.stream().filter(a -> a.term() > 0).forEach(a -> add(acknowledging, a.term(), a.master()));
        Map<Long, Set<Integer>> reporting = new TreeMap<>();
        seen.stream().filter(s -> s.role() == MasterRole.LEADER).forEach(s -> add(reporting, s.term(), s.master()));
        Map<Long, Set<Integer>> logging = new TreeMap<>();
        for (int m = 1; m <= MASTERS; m++) {
            Matcher line = LEADER_LOG_LINE.matcher(Files.readString(log(m)));
            while (line.find()) {
                add(logging, Long.parseLong(line.group(2)), memberOf(line.group(1)));
            }
        }
        progress("acknowledging masters by term " + acknowledging + ", seen leading " + reporting + ", logged "
                + logging);
        // Before the cut, during it, and after the transfer: at least three terms, never two masters in one.
        assertThat(acknowledging).as("acknowledging masters by term").hasSizeGreaterThanOrEqualTo(3)
                .allSatisfy(MasterPartitionIT::assertOneMaster);
        assertThat(reporting).as("masters reporting themselves leader, by term").hasSizeGreaterThanOrEqualTo(3)
                .allSatisfy(MasterPartitionIT::assertOneMaster);
        assertThat(logging).as("masters logging 'leader of term', by term").containsKeys(acknowledging.keySet()
                .toArray(Long[]::new)).allSatisfy(MasterPartitionIT::assertOneMaster);
    }

    private static void add(Map<Long, Set<Integer>> mastersByTerm, long term, int master) {
        mastersByTerm.computeIfAbsent(term, t -> new TreeSet<>()).add(master);
    }

    private static void assertOneMaster(long term, Set<Integer> masters) {
        assertThat(masters).as("masters in term %d", term).hasSize(1);
    }

    private void sample() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                for (MasterGroupClient.Member member : group.survey(allMasters().stream().map(this::address).toList(),
                        SURVEY_TIMEOUT)) {
                    member.status().ifPresent(s -> seen.add(new Seen(memberOf(s), s.getRole(), s.getTerm())));
                }
                Thread.sleep(SAMPLE_INTERVAL);
            }
        } catch (InterruptedException e) {
            // Stopped by the test.
        }
    }

    // ------------------------------------------------------------------ Raft state

    /** Master {@code member}'s Raft state from its admin service; fails when it does not answer. */
    private RaftStatusReply status(int member) throws InterruptedException {
        MasterGroupClient.Member answer = group.survey(List.of(address(member)), SURVEY_TIMEOUT).getFirst();
        return answer.status().orElseThrow(() -> new AssertionError("master " + member + ": " + answer.error()));
    }

    /** The member of {@code among} that leads now (the highest term if two claim it); waits for one. */
    private RaftStatusReply currentLeader(List<Integer> among) {
        return awaitLeader(among, "a leader among masters " + among, s -> true);
    }

    private RaftStatusReply awaitLeader(List<Integer> among, String what, Predicate<RaftStatusReply> wanted) {
        AtomicReference<RaftStatusReply> found = new AtomicReference<>();
        await(what).atMost(FAILOVER).pollInterval(Duration.ofMillis(100)).until(() -> {
            found.set(null);
            for (int m : among) {
                RaftStatusReply s = status(m);
                if (s.getRole() == MasterRole.LEADER && wanted.test(s)
                        && (found.get() == null || found.get().getTerm() < s.getTerm())) {
                    found.set(s);
                }
            }
            return found.get() != null;
        });
        return found.get();
    }

    /**
     * Waits until master {@code old} follows the leader in the leader's term, and all three hold
     * the same log, committed and applied; returns the leader's state.
     */
    private RaftStatusReply awaitRejoinedAsFollower(int old) {
        AtomicReference<RaftStatusReply> leader = new AtomicReference<>();
        await("master " + old + " following the leader with the same log").atMost(FAILOVER)
                .pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                    List<RaftStatusReply> all = new ArrayList<>();
                    for (int m : allMasters()) {
                        all.add(status(m));
                    }
                    List<RaftStatusReply> leaders = all.stream().filter(s -> s.getRole() == MasterRole.LEADER).toList();
                    assertThat(leaders).as("leaders: %s", all).hasSize(1);
                    RaftStatusReply l = leaders.getFirst();
                    RaftStatusReply o = all.get(old - 1);
                    assertThat(o.getRole()).as("master %d", old).isEqualTo(MasterRole.FOLLOWER);
                    assertThat(o.getLeader().getRaftAddress()).isEqualTo(l.getSelf().getRaftAddress());
                    for (RaftStatusReply s : all) {
                        assertThat(s.getTerm()).as("%s", s).isEqualTo(l.getTerm());
                        assertThat(s.getLastLogIndex()).as("%s", s).isEqualTo(l.getLastLogIndex());
                        assertThat(s.getCommitIndex()).as("%s", s).isEqualTo(l.getCommitIndex());
                        assertThat(s.getAppliedIndex()).as("%s", s).isEqualTo(l.getCommitIndex());
                    }
                    leader.set(l);
                });
        return leader.get();
    }

    // ------------------------------------------------------------------ admin masters

    /** Waits until {@code admin masters --json} shows one leader and two followers in one term. */
    private void awaitOneLeaderThroughCli() {
        await("one leader in admin masters").atMost(STARTUP).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            List<Listed> listed = adminMasters();
            assertThat(listed).hasSize(MASTERS).extracting(Listed::role).containsOnlyOnce("leader")
                    .filteredOn("follower"::equals).hasSize(MASTERS - 1);
            assertThat(listed).extracting(Listed::term).containsOnly(listed.getFirst().term());
        });
    }

    /** Every master as {@code admin masters --json} shows it; fails unless it found exactly one leader. */
    private List<Listed> adminMasters() throws IOException, InterruptedException {
        Launcher.Result run = Launcher.run(CLI_TIMEOUT, dir, "admin", "masters", "--json", "-H", allClientAddresses());
        assertThat(run.exitCode()).as(run.toString()).isZero();
        List<Listed> found = new ArrayList<>();
        Matcher m = MEMBER_JSON.matcher(run.out());
        while (m.find()) {
            found.add(new Listed(memberOf(m.group(1)), m.group(2), Long.parseLong(m.group(3)),
                    Long.parseLong(m.group(4)), Long.parseLong(m.group(5))));
        }
        assertThat(found).as(run.out()).isNotEmpty();
        return found;
    }

    // ------------------------------------------------------------------ the masters

    private void startMasters(List<Launcher.Background> masters) throws Exception {
        List<Path> configs = new ArrayList<>();
        for (int m = 1; m <= MASTERS; m++) {
            configs.add(writeConfig(m));
        }
        try (ExecutorService formats = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Launcher.Result>> results = new ArrayList<>();
            for (Path config : configs) {
                results.add(formats.submit(() -> Launcher.run(CLI_TIMEOUT, dir, "master", "-c", config.toString(),
                        "--format", "--cluster-id", clusterId)));
            }
            for (Future<Launcher.Result> result : results) {
                assertThat(result.get().exitCode()).as(result.get().toString()).isZero();
            }
        }
        Map<String, String> environment = Map.of("MOOSENG_NO_BUILD", "1", "MOOSENG_JAVA_OPTS", MASTER_JAVA_OPTS);
        for (int m = 1; m <= MASTERS; m++) {
            masters.add(net.start(m, dir, log(m), environment,
                    List.of(Launcher.bin().toString(), "--no-build", "master", "-c", configs.get(m - 1).toString())));
        }
    }

    private Path writeConfig(int member) throws IOException {
        String peers = allMasters().stream().map(m -> net.address(m) + ":" + RAFT_PORT)
                .collect(Collectors.joining(","));
        String text = """
                # Master %d of %d, in network namespace %s.
                DATA_DIR = %s
                LISTEN_HOST = %s
                ADVERTISE_HOST = %s
                RAFT_PORT = %d
                CHUNKSERVER_PORT = %d
                CLIENT_PORT = %d
                MASTER_PEERS = %s
                RAFT_ELECTION_TIMEOUT_MS = %d
                """.formatted(member, MASTERS, net.namespace(member),
                Files.createDirectories(dir.resolve("master-" + member)), net.address(member), net.address(member),
                RAFT_PORT, CHUNKSERVER_PORT, CLIENT_PORT, peers, ELECTION_TIMEOUT_MS);
        return Files.writeString(dir.resolve("master-" + member + ".cfg"), text);
    }

    /** A client of master {@code member} alone: {@code retryForMs} 0 never resends, so only that master can answer. */
    private MoosengClient connect(int member, long retryForMs) throws MoosengException {
        return MoosengClient.connect(ClientOptions.master(clientAddress(member)).expectedClusterId(clusterId)
                .rpcTimeoutMs(CALL_TIMEOUT_MS).failoverTimeoutMs(retryForMs).build());
    }

    private Path log(int member) {
        return dir.resolve("master-" + member + ".log");
    }

    private void printLogTails() {
        for (int m = 1; m <= MASTERS; m++) {
            try {
                List<String> lines = Files.readAllLines(log(m));
                System.out.println("---- last lines of " + log(m));
                lines.subList(Math.max(0, lines.size() - 60), lines.size()).forEach(System.out::println);
            } catch (IOException e) {
                System.out.println("---- " + log(m) + ": " + e);
            }
        }
    }

    private static List<Integer> allMasters() {
        return IntStream.rangeClosed(1, MASTERS).boxed().toList();
    }

    private MasterAddress address(int member) {
        return new MasterAddress(net.address(member), CLIENT_PORT);
    }

    private String clientAddress(int member) {
        return address(member).toString();
    }

    private String allClientAddresses() {
        return allMasters().stream().map(this::clientAddress).collect(Collectors.joining(","));
    }

    private int memberOf(RaftStatusReply status) {
        return memberOf(status.getSelf().getRaftAddress());
    }

    /** The member whose address is {@code host} or {@code host:port}. */
    private int memberOf(String hostOrHostPort) {
        String host = hostOrHostPort.contains(":") ? hostOrHostPort.substring(0, hostOrHostPort.indexOf(':'))
                : hostOrHostPort;
        for (int m : allMasters()) {
            if (net.address(m).equals(host)) {
                return m;
            }
        }
        throw new AssertionError("no member at " + hostOrHostPort);
    }
}
