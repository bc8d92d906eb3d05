package org.mooseng.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.client.DirectoryEntry;
import org.mooseng.client.MoosengClient;
import org.mooseng.client.MoosengException;
import org.mooseng.client.MoosengFile;
import org.mooseng.client.OpenFlag;
import org.mooseng.common.Status;

/**
 * kill -9 of the leader of a three-master group under a continuous create/write/rename load
 * driven through the client library in this JVM: afterwards every acknowledged change is in the
 * namespace with its data, nothing that was not acknowledged is half there, and the three
 * masters hold the same namespace.
 */
class LeaderKillUnderWorkloadIT {
    private static final int MASTERS = 3;
    private static final int CHUNK_SERVERS = 3;
    private static final int WRITERS = 3;
    /** How long the load runs before the kill, and how much it must have got acknowledged by then. */
    private static final Duration LOAD_BEFORE_KILL = Duration.ofSeconds(2);
    private static final int ACKNOWLEDGED_BEFORE_KILL = 30;
    /** Operations sent after the old leader's process was gone and acknowledged: only a new leader can have. */
    private static final int ACKNOWLEDGED_AFTER_KILL = 20;
    /** Beyond the client's own 30 s of retries, on a loaded machine. */
    private static final Duration AFTER_KILL_TIMEOUT = Duration.ofSeconds(60);
    private static final int MIN_PAYLOAD_BYTES = 4 << 10;
    private static final int MAX_PAYLOAD_BYTES = 64 << 10;

    @TempDir
    Path dir;

    /** How one step of the load went: acknowledged, failed (outcome unknown), or not tried after an earlier failure. */
    enum Outcome { ACKNOWLEDGED, FAILED, NOT_TRIED }

    /** Step i of writer t: create /w(t)/f(i), write its payload and close, rename it to /w(t)/g(i). */
    record Step(int writer, int i, Outcome create, Outcome write, Outcome rename) {
    }

    private final AtomicInteger acknowledged = new AtomicInteger();
    private final AtomicInteger acknowledgedAfterKill = new AtomicInteger();
    /** Failed operations with their errors, for the test's output. */
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    /** System.nanoTime() once the killed leader's process is dead; no operation sent after it reached that leader. */
    private volatile long killedNanos = Long.MAX_VALUE;
    private volatile boolean running = true;
    private final long startNanos = System.nanoTime();

    @Test
    void everyAcknowledgedCreateWriteAndRenameSurvivesKillMinus9OfTheLeaderAndNothingElseIsHalfApplied()
            throws Exception {
        try (LocalClusterProcesses cluster = new LocalClusterProcesses(dir, MASTERS, CHUNK_SERVERS)) {
            MasterGroupProcesses group = new MasterGroupProcesses(cluster, dir, MASTERS);
            Launcher.Result up = cluster.up("--masters", String.valueOf(MASTERS), "--no-mount");
            assertThat(up.exitCode()).as(up.toString()).isZero();
            MasterGroupProcesses.Member oldLeader = MasterGroupProcesses.leaderOf(group.awaitSteady(MASTERS));
            step("group up, master-" + oldLeader.master() + " leads in term " + oldLeader.term());

            List<Step> steps = new ArrayList<>();
            try (MoosengClient client = MoosengClient.connect(group.clientOptions().build())) {
                for (int t = 0; t < WRITERS; t++) {
                    client.mkdir("/w" + t, 0755);
                }
                List<Writer> writers = new ArrayList<>();
                List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < WRITERS; t++) {
                    Writer writer = new Writer(t, client);
                    writers.add(writer);
                    threads.add(Thread.ofPlatform().name("writer-" + t).start(writer));
                }
                try {
                    await().pollDelay(LOAD_BEFORE_KILL).atMost(Duration.ofSeconds(60))
                            .until(() -> acknowledged.get() >= ACKNOWLEDGED_BEFORE_KILL);
                    int acknowledgedBeforeKill = acknowledged.get();
                    long killNanos = System.nanoTime();
                    group.kill9(oldLeader.master());
                    killedNanos = System.nanoTime();
                    step("master-" + oldLeader.master() + " killed after " + acknowledgedBeforeKill
                            + " acknowledged operations, gone after " + (killedNanos - killNanos) / 1_000_000 + " ms");
                    await().atMost(AFTER_KILL_TIMEOUT)
                            .until(() -> acknowledgedAfterKill.get() >= ACKNOWLEDGED_AFTER_KILL);
                    assertThat(acknowledgedBeforeKill).isGreaterThanOrEqualTo(ACKNOWLEDGED_BEFORE_KILL);
                } finally {
                    running = false;
                    for (Thread thread : threads) {
                        // A step in flight may ride out the client's whole failover timeout.
                        assertThat(thread.join(Duration.ofSeconds(60))).as(thread.getName() + " stopped").isTrue();
                    }
                }
                writers.forEach(w -> steps.addAll(w.steps));
            }
            step("load stopped: " + steps.size() + " steps, " + acknowledged.get() + " operations acknowledged ("
                    + acknowledgedAfterKill.get() + " sent after the kill), " + failures.size() + " failed "
                    + failures);

            MasterGroupProcesses.Member newLeader = MasterGroupProcesses.leaderOf(group.awaitSteady(MASTERS - 1));
            assertThat(newLeader.master()).as("new leader").isNotEqualTo(oldLeader.master());
            assertThat(newLeader.term()).as("new leader's term").isGreaterThan(oldLeader.term());
            step("master-" + newLeader.master() + " leads in term " + newLeader.term());

            // 'up' starts the killed master again (the others run); it must catch up with the group.
            Launcher.Result again = cluster.up("--masters", String.valueOf(MASTERS), "--no-mount");
            assertThat(again.exitCode()).as(again.toString()).isZero();
            group.awaitSteady(MASTERS);
            step("master-" + oldLeader.master() + " restarted and caught up");

            try (MoosengClient fresh = MoosengClient.connect(group.clientOptions().build())) {
                assertThat(check(fresh, steps)).as("what the namespace holds against what was acknowledged")
                        .isEmpty();
            }
            step("namespace checked");

            List<MasterGroupProcesses.Member> settled = group.awaitSteady(MASTERS);
            Launcher.Result down = cluster.down();
            assertThat(down.exitCode()).as(down.toString()).isZero();
            step("down");
            List<MasterGroupProcesses.Digest> digests = group.digestsOfStoppedMasters();
            assertThat(digests).extracting(MasterGroupProcesses.Digest::appliedIndex).as(settled.toString())
                    .containsOnly(settled.getFirst().applied());
            step("digests equal: " + digests);
        }
    }

    private void step(String done) {
        System.out.printf("%6.1f s  %s%n", (System.nanoTime() - startNanos) / 1e9, done);
    }

    /** One writer thread: steps i = 0, 1, 2, … in /w(t) until the load stops. */
    private final class Writer implements Runnable {
        private final int index;
        private final MoosengClient client;
        private final List<Step> steps = new ArrayList<>();

        Writer(int index, MoosengClient client) {
            this.index = index;
            this.client = client;
        }

        @Override
        public void run() {
            for (int i = 0; running; i++) {
                steps.add(step(i));
            }
        }

        private Step step(int i) {
            String f = "/w" + index + "/f" + i;
            long sentNanos = System.nanoTime();
            MoosengFile file;
            try {
                file = client.create(f, 0644, true);
            } catch (IOException | RuntimeException e) {
                failed("create " + f, e);
                return new Step(index, i, Outcome.FAILED, Outcome.NOT_TRIED, Outcome.NOT_TRIED);
            }
            acknowledged(sentNanos);
            sentNanos = System.nanoTime();
            try {
                file.write(0, ByteBuffer.wrap(payload(index, i)));
                file.close(); // returns once the data is on every replica and the size committed
            } catch (IOException | RuntimeException e) {
                failed("write " + f, e);
                try {
                    file.close();
                } catch (IOException | RuntimeException again) {
                    // A failed write sticks: the close reports it once more.
                }
                return new Step(index, i, Outcome.ACKNOWLEDGED, Outcome.FAILED, Outcome.NOT_TRIED);
            }
            acknowledged(sentNanos);
            String g = "/w" + index + "/g" + i;
            sentNanos = System.nanoTime();
            try {
                client.rename(f, g);
            } catch (IOException | RuntimeException e) {
                failed("rename " + f, e);
                return new Step(index, i, Outcome.ACKNOWLEDGED, Outcome.ACKNOWLEDGED, Outcome.FAILED);
            }
            acknowledged(sentNanos);
            return new Step(index, i, Outcome.ACKNOWLEDGED, Outcome.ACKNOWLEDGED, Outcome.ACKNOWLEDGED);
        }

        private void acknowledged(long sentNanos) {
            acknowledged.incrementAndGet();
            if (sentNanos >= killedNanos) {
                acknowledgedAfterKill.incrementAndGet();
            }
        }

        private void failed(String operation, Exception e) {
            failures.add(operation + ": " + e);
        }
    }

    /** The payload of step i of writer t: 4 to 64 KiB, different for every step. */
    static byte[] payload(int writer, int i) {
        Random random = new Random(writer * 1_000_003L + i);
        byte[] data = new byte[MIN_PAYLOAD_BYTES + random.nextInt(MAX_PAYLOAD_BYTES - MIN_PAYLOAD_BYTES + 1)];
        random.nextBytes(data);
        return data;
    }

    /**
     * Compares each writer's directory with its steps; returns every difference. For a step
     * whose rename was acknowledged only g(i) exists, with the payload. For one whose create and
     * write were acknowledged but whose rename failed, exactly one of f(i), g(i) exists, with the
     * payload. For one whose write failed, f(i) exists and holds nothing or the whole payload, and
     * g(i) does not. For one whose create failed, at most an empty f(i) exists. Nothing else is
     * in the directory, no name is listed twice and no file is under two names.
     */
    private static List<String> check(MoosengClient client, List<Step> steps) throws MoosengException {
        List<String> problems = new ArrayList<>();
        Map<Integer, List<Step>> byWriter = steps.stream().collect(Collectors.groupingBy(Step::writer));
        for (int t = 0; t < WRITERS; t++) {
            String directory = "/w" + t;
            List<DirectoryEntry> entries = client.list(directory);
            Map<String, DirectoryEntry> names = entries.stream()
                    .collect(Collectors.toMap(DirectoryEntry::name, Function.identity(), (a, b) -> {
                        problems.add(directory + "/" + a.name() + " is listed twice");
                        return a;
                    }));
            if (entries.stream().map(DirectoryEntry::inode).distinct().count() != entries.size()) {
                problems.add(directory + ": one file under two names: " + entries);
            }
            Set<String> explained = new HashSet<>();
            for (Step step : byWriter.getOrDefault(t, List.of())) {
                String f = "f" + step.i();
                String g = "g" + step.i();
                explained.add(f);
                explained.add(g);
                checkStep(client, directory, step, names.containsKey(f), names.containsKey(g), problems);
            }
            names.keySet().stream().filter(name -> !explained.contains(name))
                    .forEach(name -> problems.add(directory + "/" + name + ": no step made this name"));
        }
        return problems;
    }

    private static void checkStep(MoosengClient client, String directory, Step step, boolean hasF, boolean hasG,
                                  List<String> problems) throws MoosengException {
        String f = directory + "/f" + step.i();
        String g = directory + "/g" + step.i();
        byte[] payload = payload(step.writer(), step.i());
        String what = step.toString();
        switch (step.create()) {
            case FAILED, NOT_TRIED -> {
                if (hasG) {
                    problems.add(what + ": " + g + " exists");
                }
                if (hasF && read(client, f).length != 0) {
                    problems.add(what + ": " + f + " has data that was never written");
                }
            }
            case ACKNOWLEDGED -> {
                switch (step.write()) {
                    case FAILED, NOT_TRIED -> {
                        if (!hasF || hasG) {
                            problems.add(what + ": expected " + f + " alone, found f " + hasF + ", g " + hasG);
                        } else {
                            byte[] data = read(client, f);
                            if (data.length != 0 && !Arrays.equals(data, payload)) {
                                problems.add(what + ": " + f + " holds " + data.length + " bytes, neither nothing"
                                        + " nor the " + payload.length + "-byte payload");
                            }
                        }
                    }
                    case ACKNOWLEDGED -> {
                        boolean renamed = step.rename() == Outcome.ACKNOWLEDGED;
                        if (hasF == hasG || (renamed && hasF)) {
                            problems.add(what + ": found f " + hasF + ", g " + hasG);
                        } else if (!Arrays.equals(read(client, hasG ? g : f), payload)) {
                            problems.add(what + ": " + (hasG ? g : f) + " does not hold its payload");
                        }
                    }
                }
            }
        }
    }

    private static byte[] read(MoosengClient client, String path) throws MoosengException {
        long size = client.stat(path).sizeBytes();
        if (size > MAX_PAYLOAD_BYTES) {
            throw new MoosengException(Status.EFBIG, path, size + " bytes, more than any payload");
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) size);
        try (MoosengFile file = client.open(path, OpenFlag.READ)) {
            while (buffer.hasRemaining()) {
                if (file.read(buffer.position(), buffer) < 0) {
                    break;
                }
            }
        }
        return Arrays.copyOf(buffer.array(), buffer.position());
    }
}
