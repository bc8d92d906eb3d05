package org.mooseng.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.cli.admin.MasterGroupClient;
import org.mooseng.cli.local.ClusterFile;
import org.mooseng.client.ClientOptions;
import org.mooseng.client.DirectoryEntry;
import org.mooseng.client.MoosengClient;
import org.mooseng.client.MoosengException;
import org.mooseng.proto.MasterRole;

/**
 * A master whose disk fills up steps down instead of acknowledging what it cannot keep:
 * {@code up --masters 3 --metaloggers 1 --no-mount} with each master's DATA_DIR on its own small
 * tmpfs, mkdirs through the client library while the leader's tmpfs is filled to the last byte,
 * then: the full master stops (role inactive, one ERROR naming its data dir), another leads and
 * acknowledges, {@code admin metaloggers} finds the metalogger by itself, the full master is
 * stopped, its disk freed and {@code up} restarts it; the leader logs it unreachable once and back
 * once (and none of the transport's per-attempt errors), it catches up to the others' applied
 * index, and once handed leadership it lists every directory that was ever acknowledged.
 */
class MasterDiskFullIT {
    private static final int MASTERS = 3;
    /** Room for the RocksDB write-ahead logs the master preallocates (about 220 MiB) and the 64 MiB reserve. */
    private static final String TMPFS_SIZE = "512m";
    private static final Duration FAILOVER = Duration.ofSeconds(30);
    private static final Duration PROBE = Duration.ofSeconds(3);

    @TempDir
    Path dir;

    @Test
    void aLeaderWhoseDiskFillsStepsDownTheOthersServeOnAndItCatchesUpAfterARestart() throws Exception {
        List<Path> mounts = new ArrayList<>();
        try (LocalClusterProcesses cluster = new LocalClusterProcesses(dir, MASTERS, 1)) {
            for (int m = 1; m <= MASTERS; m++) {
                Path data = cluster.dir().resolve("data/master-" + m);
                Files.createDirectories(data);
                run("mount", "-t", "tmpfs", "-o", "size=" + TMPFS_SIZE, "mooseng-diskfull", data.toString());
                mounts.add(data);
            }
            Launcher.Result up = cluster.up("--masters", String.valueOf(MASTERS), "--chunkservers", "1",
                    "--metaloggers", "1", "--no-mount");
            assertThat(up.exitCode()).as(up.toString()).isZero();
            assertThat(up.out()).contains("1 metalogger(s)").contains("metalogger-1");

            ClusterFile clusterFile = ClusterFile.read(cluster.dir().resolve(ClusterFile.FILE_NAME));
            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            try (MasterGroupClient group = new MasterGroupClient(clusterFile.clusterId());
                    MoosengClient client = MoosengClient.connect(ClientOptions.builder()
                            .masters(clusterFile.masters()).expectedClusterId(clusterFile.clusterId())
                            .failoverTimeoutMs(60_000).build())) {
                for (int i = 0; i < 10; i++) {
                    client.mkdir("/before-" + i, 0755);
                    acknowledged.add("before-" + i);
                }
                MasterGroupClient.Member full = awaitLeader(group, clusterFile, null);
                int fullIndex = (full.address().port() - cluster.basePort() - 2) / 1000 + 1;
                Path fullData = cluster.dir().resolve("data/master-" + fullIndex);

                AtomicBoolean writing = new AtomicBoolean(true);
                Thread writer = Thread.ofPlatform().name("mkdir-during-fill").start(() -> {
                    for (int i = 0; writing.get(); i++) {
                        try {
                            client.mkdir("/during-" + i, 0755);
                            acknowledged.add("during-" + i);
                        } catch (MoosengException e) {
                            // Not acknowledged: it may or may not exist afterwards.
                        }
                    }
                });
                try {
                    // dd stops at ENOSPC; what is left is below a page.
                    new ProcessBuilder("dd", "if=/dev/zero", "of=" + fullData.resolve("filler"), "bs=1M")
                            .redirectErrorStream(true).redirectOutput(dir.resolve("dd.out").toFile()).start()
                            .waitFor(60, TimeUnit.SECONDS);
                    assertThat(Files.getFileStore(fullData).getUsableSpace()).isLessThan(1 << 20);

                    MasterGroupClient.Member next = awaitLeader(group, clusterFile, full.address().toString());
                    assertThat(role(group, clusterFile, full.address().toString())).isEqualTo(MasterRole.INACTIVE);
                    int before = acknowledged.size();
                    await().atMost(FAILOVER).until(() -> acknowledged.size() >= before + 10);
                    assertThat(next.status().orElseThrow().getTerm())
                            .isGreaterThan(full.status().orElseThrow().getTerm());
                } finally {
                    writing.set(false);
                    writer.join(Duration.ofSeconds(90));
                }
                for (int i = 0; i < 10; i++) {
                    client.mkdir("/after-" + i, 0755);
                    acknowledged.add("after-" + i);
                }

                Path fullLog = cluster.dir().resolve("log/master-" + fullIndex + ".log");
                List<String> errors = lines(fullLog, " ERROR RaftNode ");
                assertThat(errors).as("one clear ERROR on the full master").hasSize(1);
                assertThat(errors.getFirst()).contains("data dir " + fullData.resolve("raft"))
                        .contains("below the reserve of 64 MiB");
                assertThat(lines(fullLog, "is not in active state, currTerm"))
                        .as("the stopped master refuses every heartbeat of the new leader, quietly").isEmpty();

                Launcher.Result metaloggers = command(cluster, "admin", "metaloggers", "--json");
                assertThat(metaloggers.exitCode()).as(metaloggers.toString()).isZero();
                assertThat(metaloggers.out()).contains("\"address\":\"127.0.0.1:" + (cluster.basePort() + 8) + "\"")
                        .contains("\"joined\":true");

                // Room again; the stopped master is restarted (a member stopped on an error stays so).
                Files.delete(fullData.resolve("filler"));
                stop(cluster, "master-" + fullIndex);
                int nextIndex = (next(group, clusterFile).address().port() - cluster.basePort() - 2) / 1000 + 1;
                Path leaderLog = cluster.dir().resolve("log/master-" + nextIndex + ".log");
                String fullRaft = "127.0.0.1:" + (cluster.basePort() + 1000 * (fullIndex - 1));
                await().atMost(FAILOVER).until(() -> !lines(leaderLog, fullRaft + " unreachable").isEmpty());
                Launcher.Result again = cluster.up("--no-mount");
                assertThat(again.exitCode()).as(again.toString()).isZero();
                assertThat(again.out()).containsOnlyOnce(" started ");

                await().atMost(FAILOVER).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                    List<MasterGroupClient.Member> members = group.survey(clusterFile.masters(), PROBE);
                    assertThat(members).hasSize(MASTERS).allMatch(m -> m.status().isPresent());
                    long commit = MasterGroupClient.leader(members).orElseThrow().status().orElseThrow()
                            .getCommitIndex();
                    assertThat(members).extracting(m -> m.status().orElseThrow().getAppliedIndex())
                            .containsOnly(commit);
                });
                await().atMost(FAILOVER).until(() -> !lines(leaderLog, fullRaft + " reachable again").isEmpty());
                assertThat(lines(leaderLog, fullRaft + " unreachable;")).hasSize(1);
                assertThat(lines(leaderLog, "Exception occurred in async create connection")).isEmpty();

                Launcher.Result transfer = command(cluster, "admin", "transfer-leader", "--to",
                        full.address().toString());
                assertThat(transfer.exitCode()).as(transfer.toString()).isZero();
                assertThat(awaitLeader(group, clusterFile, null).address()).isEqualTo(full.address());
                Set<String> listed = client.list("/").stream().map(DirectoryEntry::name).collect(Collectors.toSet());
                assertThat(listed).as("every acknowledged mkdir, read from the master whose disk was full")
                        .containsAll(acknowledged);
                assertThat(acknowledged).as("mkdirs acknowledged while the disk filled")
                        .anyMatch(name -> name.startsWith("during-"));
            }
            Launcher.Result down = cluster.down();
            assertThat(down.exitCode()).as(down.toString()).isZero();
        } finally {
            for (Path mount : mounts) {
                run("umount", "-l", mount.toString());
            }
        }
    }

    /** The leader once one is known (other than {@code notThis}, a client address, when given). */
    private static MasterGroupClient.Member awaitLeader(MasterGroupClient group, ClusterFile clusterFile,
                                                        String notThis) {
        List<MasterGroupClient.Member> found = new ArrayList<>();
        await().atMost(FAILOVER).pollInterval(Duration.ofMillis(200)).until(() -> {
            Optional<MasterGroupClient.Member> leader = MasterGroupClient.leader(
                    group.survey(clusterFile.masters(), PROBE));
            leader.filter(l -> !l.address().toString().equals(notThis)).ifPresent(found::add);
            return !found.isEmpty();
        });
        return found.getFirst();
    }

    private static MasterGroupClient.Member next(MasterGroupClient group, ClusterFile clusterFile) {
        return awaitLeader(group, clusterFile, null);
    }

    private static MasterRole role(MasterGroupClient group, ClusterFile clusterFile, String address)
            throws InterruptedException {
        return group.survey(clusterFile.masters(), PROBE).stream().filter(m -> m.address().toString().equals(address))
                .findFirst().flatMap(MasterGroupClient.Member::status).map(s -> s.getRole())
                .orElse(MasterRole.MASTER_ROLE_UNSPECIFIED);
    }

    /** SIGTERM to a daemon by its PID file, and a wait for it to exit (SIGKILL after 30 s). */
    private static void stop(LocalClusterProcesses cluster, String daemon) throws Exception {
        long pid = Long.parseLong(Files.readString(cluster.dir().resolve("run/" + daemon + ".pid")).strip());
        ProcessHandle process = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError(daemon + " is not running"));
        process.destroy();
        try {
            process.onExit().get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            cluster.kill9(daemon);
        }
    }

    private static List<String> lines(Path log, String containing) throws IOException {
        return Files.readAllLines(log, StandardCharsets.UTF_8).stream().filter(l -> l.contains(containing)).toList();
    }

    private Launcher.Result command(LocalClusterProcesses cluster, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--dir", cluster.dir().toString()));
        return Launcher.run(LocalClusterProcesses.COMMAND_TIMEOUT, dir, all.toArray(String[]::new));
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).inheritIO().start();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command)).isZero();
    }
}
