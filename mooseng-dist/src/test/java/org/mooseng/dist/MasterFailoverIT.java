package org.mooseng.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A group of three masters from the built distribution: {@code up --masters 3}, {@code admin
 * masters} showing one leader and two followers at the same commit index, kill -9 of the
 * leader's JVM, a new leader, and a file written and read back through the CLI afterwards.
 */
class MasterFailoverIT {
    private static final int MASTERS = 3;
    private static final int CHUNK_SERVERS = 3;
    private static final Duration FAILOVER = Duration.ofSeconds(30);
    private static final Pattern MEMBER = Pattern.compile(
            "\\{\"address\":\"127\\.0\\.0\\.1:(\\d+)\",\"raftAddress\":\"[^\"]+\",\"role\":\"(\\w+)\",\"term\":(\\d+),"
                    + "\"commitIndex\":(\\d+),\"appliedIndex\":(\\d+)");

    @TempDir
    Path dir;

    private record Member(int clientPort, String role, long term, long commit, long applied) {
    }

    @Test
    void killMinus9OfTheLeaderElectsAnotherAndTheClusterServesOn() throws Exception {
        try (LocalClusterProcesses cluster = new LocalClusterProcesses(dir, MASTERS, CHUNK_SERVERS)) {
            Launcher.Result up = cluster.up("--masters", String.valueOf(MASTERS), "--no-mount");
            assertThat(up.exitCode()).as(up.toString()).isZero();
            assertThat(up.out()).contains("3 masters at 127.0.0.1:" + (cluster.basePort() + 2) + ",127.0.0.1:"
                    + (cluster.basePort() + 1002) + ",127.0.0.1:" + (cluster.basePort() + 2002) + " (leader ");
            assertThat(cluster.pids()).as("three masters and three chunk servers").hasSize(MASTERS + CHUNK_SERVERS);

            Launcher.Result status = cluster.status("--json");
            assertThat(status.exitCode()).as(status.toString()).isZero();
            assertThat(status.out()).contains("\"raftRole\":\"leader\"").contains("\"raftRole\":\"follower\"")
                    .contains("\"chunkServersAlive\":" + CHUNK_SERVERS).doesNotContain("\"alive\":false");

            Path before = write(dir.resolve("before.bin"), 3_000_000, 1);
            assertThat(command(cluster, "fs", "put", before.toString(), "/before.bin").exitCode()).isZero();
            List<Member> group = awaitGroup(cluster, 3);
            Member leader = group.stream().filter(m -> m.role().equals("leader")).findFirst().orElseThrow();
            int leaderIndex = (leader.clientPort() - cluster.basePort() - 2) / 1000 + 1;

            kill9(cluster, "master-" + leaderIndex);

            List<Member> after = awaitGroup(cluster, 2);
            Member next = after.stream().filter(m -> m.role().equals("leader")).findFirst().orElseThrow();
            assertThat(next.clientPort()).isNotEqualTo(leader.clientPort());
            assertThat(next.term()).isGreaterThan(leader.term());

            Path written = write(dir.resolve("after.bin"), 5_000_000, 2);
            Launcher.Result put = command(cluster, "fs", "put", written.toString(), "/after.bin");
            assertThat(put.exitCode()).as(put.toString()).isZero();
            for (String name : List.of("before.bin", "after.bin")) {
                Path got = dir.resolve("got-" + name);
                Launcher.Result get = command(cluster, "fs", "get", "/" + name, got.toString());
                assertThat(get.exitCode()).as(get.toString()).isZero();
                assertThat(Files.mismatch(got, dir.resolve(name))).as(name).isEqualTo(-1L);
            }

            Launcher.Result down = cluster.down();
            assertThat(down.exitCode()).as(down.toString()).isZero();
            assertThat(cluster.seenPids()).noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive)
                    .orElse(false));
        }
    }

    /**
     * Waits until {@code admin masters --json} shows one leader and {@code answering - 1}
     * followers, all at one commit index and applied up to it; returns them.
     */
    private List<Member> awaitGroup(LocalClusterProcesses cluster, int answering) {
        List<List<Member>> last = new ArrayList<>();
        await().atMost(FAILOVER).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            Launcher.Result run = command(cluster, "admin", "masters", "--json");
            List<Member> group = members(run.out());
            assertThat(group).as(run.toString()).extracting(Member::role).containsOnlyOnce("leader")
                    .filteredOn("follower"::equals).hasSize(answering - 1);
            assertThat(group).extracting(Member::commit).as(run.out()).containsOnly(group.getFirst().commit());
            assertThat(group).extracting(Member::applied).as(run.out()).containsOnly(group.getFirst().commit());
            last.add(group);
        });
        return last.getLast();
    }

    private static List<Member> members(String json) {
        List<Member> found = new ArrayList<>();
        Matcher m = MEMBER.matcher(json);
        while (m.find()) {
            found.add(new Member(Integer.parseInt(m.group(1)), m.group(2), Long.parseLong(m.group(3)),
                    Long.parseLong(m.group(4)), Long.parseLong(m.group(5))));
        }
        return found;
    }

    private Launcher.Result command(LocalClusterProcesses cluster, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--dir", cluster.dir().toString()));
        return Launcher.run(LocalClusterProcesses.COMMAND_TIMEOUT, dir, all.toArray(String[]::new));
    }

    private static Path write(Path file, int bytes, long seed) throws Exception {
        byte[] data = new byte[bytes];
        new Random(seed).nextBytes(data);
        return Files.write(file, data);
    }

    private static void kill9(LocalClusterProcesses cluster, String daemon) throws Exception {
        long pid = Long.parseLong(Files.readString(cluster.dir().resolve("run/" + daemon + ".pid")).strip());
        ProcessHandle process = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError(daemon + " is not running"));
        new ProcessBuilder("kill", "-9", String.valueOf(pid)).start().waitFor();
        process.onExit().get();
    }
}
