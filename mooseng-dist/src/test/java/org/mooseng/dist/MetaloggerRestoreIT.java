package org.mooseng.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Losing every master and coming back from the metalogger (issue 4): a metalogger process
 * follows a one-master cluster while a tree is built through the CLI; then the master is
 * killed with -9 and its data directory deleted, {@code mooseng restore} rebuilds it from the
 * metalogger's archive (an archive snapshot plus the log after it), and the restored
 * namespace's digest must equal the metalogger's, which equals the dead master's. The
 * restarted master gets its chunk servers back, every file reads back with its SHA-256, the
 * rename, unlink and symlink are as they were, and a new write works.
 */
class MetaloggerRestoreIT {
    private static final int CHUNK_SERVERS = 3;
    private static final String MASTER = "master-1";
    private static final Duration METALOGGER_READY = Duration.ofSeconds(30);
    /** The smallest SNAPSHOT_INTERVAL_S; jraft fires the first snapshot after half to all of it. */
    private static final long SNAPSHOT_INTERVAL_S = 10;
    private static final Duration FIRST_SNAPSHOT = Duration.ofSeconds(3 * SNAPSHOT_INTERVAL_S);
    private static final Pattern ADMIN_METALOGGER = Pattern.compile("\"appliedIndex\":(\\d+),\"archivedIndex\":(\\d+),"
            + "\"leaderCommitIndex\":(\\d+|null),\"lag\":(\\d+|null)");
    private static final Pattern DIGEST = Pattern.compile(
            "(?m)^sha256 ([0-9a-f]{64})  applied index (\\d+)  cluster (\\S+)  ");
    private static final Pattern RESTORED = Pattern.compile("(?m)^restored cluster (\\S+) into (\\S+) at log index"
            + " (\\d+)[^\\n]*\\nsnapshot at index (\\d+), (\\d+) log records replayed; master Raft address (\\S+)$");

    @TempDir
    Path dir;
    private final long startNanos = System.nanoTime();

    /** What {@code admin metaloggers --json} shows of one metalogger; {@code leaderCommit} null = no leader. */
    private record Lag(long applied, long archived, Long leaderCommit) {
    }

    /** One line of {@code admin digest}. */
    private record Digest(String sha256, long index, String clusterId) {
    }

    @Test
    void afterEveryMastersDataIsDeletedTheMetaloggersArchiveRestoresTheNamespaceItHadAndTheClusterServesOn()
            throws Exception {
        try (LocalClusterProcesses cluster = new LocalClusterProcesses(dir, CHUNK_SERVERS)) {
            Launcher.Result up = cluster.up("--chunkservers", String.valueOf(CHUNK_SERVERS), "--no-mount");
            assertThat(up.exitCode()).as(up.toString()).isZero();
            step("cluster up");
            String clusterId = cluster.clusterId();
            Path masterData = Path.of(cluster.configValue(MASTER, "DATA_DIR"));
            String masterRaft = "127.0.0.1:" + cluster.configValue(MASTER, "RAFT_PORT");
            Path metaloggerData = dir.resolve("metalogger");
            String statusAddress = "127.0.0.1:" + cluster.freePortOutsidePlan();

            try (Launcher.Background metalogger = startMetalogger(cluster, metaloggerData, statusAddress, masterRaft)) {
                awaitMetalogger(metalogger, METALOGGER_READY, () -> status(statusAddress),
                        s -> s.contains("\"joined\":true,\"state\":\"RUNNING\""));
                step("metalogger joined");

                // A tree; then, once the archive holds a snapshot, changes that only its log holds.
                Map<String, Path> files = new LinkedHashMap<>();
                ok(cluster, "fs", "mkdir", "-p", "/kept/deep");
                files.put("/kept/deep/a.bin", put(cluster, "/kept/deep/a.bin", 3 << 20, 1));
                files.put("/kept/deep/b.bin", put(cluster, "/kept/deep/b.bin", (5 << 20) + 123, 2));
                put(cluster, "/kept/c.bin", 2 << 20, 3);
                long firstSnapshot = awaitMetalogger(metalogger, FIRST_SNAPSHOT,
                        () -> number(status(statusAddress), "lastSnapshotIndex"), index -> index > 0);
                step("first batch written, archive snapshot at index " + firstSnapshot);
                ok(cluster, "fs", "mv", "/kept/deep/a.bin", "/kept/renamed.bin");
                files.put("/kept/renamed.bin", files.remove("/kept/deep/a.bin"));
                ok(cluster, "fs", "rm", "/kept/c.bin");
                ok(cluster, "fs", "ln", "-s", "/kept/deep/b.bin", "/kept/link");
                files.put("/kept/late.bin", put(cluster, "/kept/late.bin", (2 << 20) + 7, 4));
                Lag caughtUp = awaitMetalogger(metalogger, METALOGGER_READY, () -> lag(cluster, statusAddress),
                        lag -> lag.leaderCommit() != null && lag.applied() == lag.leaderCommit());
                assertThat(caughtUp.archived()).as("the archive is never behind the copy")
                        .isEqualTo(caughtUp.applied());
                Map<String, String> listings = listings(cluster);
                assertThat(listings.get("/kept")).containsPattern("(?m) renamed\\.bin$")
                        .containsPattern("(?m) link -> /kept/deep/b\\.bin$").containsPattern("(?m) late\\.bin$")
                        .doesNotContainPattern("(?m) c\\.bin$");
                assertThat(listings.get("/kept/deep")).containsPattern("(?m) b\\.bin$")
                        .doesNotContainPattern("(?m) a\\.bin$");
                step("second batch written, metalogger at the leader's commit index " + caughtUp.applied());

                // Every master's data gone. The metalogger stops (SIGTERM) so that its store can be read.
                long deadMaster = cluster.kill9(MASTER);
                assertThat(number(status(statusAddress), "appliedIndex")).isEqualTo(caughtUp.applied());
                metalogger.stop(Duration.ofSeconds(30));
                Digest metaloggers = assertSameNamespace(metaloggerData, masterData, "the dead master's namespace");
                assertThat(metaloggers.index()).isEqualTo(caughtUp.applied());
                assertThat(metaloggers.clusterId()).isEqualTo(clusterId);
                deleteRecursively(masterData);
                step("master killed, metalogger stopped, digests equal, master data deleted");

                Launcher.Result restore = Launcher.run(LocalClusterProcesses.COMMAND_TIMEOUT, dir, "restore",
                        "--from", metaloggerData.toString(), "-c", cluster.config(MASTER).toString());
                assertThat(restore.exitCode()).as(restore.toString()).isZero();
                Matcher restored = RESTORED.matcher(restore.out());
                assertThat(restored.find()).as(restore.out()).isTrue();
                assertThat(restored.group(1)).isEqualTo(clusterId);
                assertThat(Path.of(restored.group(2))).isEqualTo(masterData);
                assertThat(Long.parseLong(restored.group(3))).isEqualTo(metaloggers.index());
                long snapshotUsed = Long.parseLong(restored.group(4));
                assertThat(snapshotUsed).as("an archive snapshot").isBetween(firstSnapshot, metaloggers.index());
                assertThat(Long.parseLong(restored.group(5))).as("log records after the snapshot")
                        .isLessThanOrEqualTo(metaloggers.index() - snapshotUsed);
                assertThat(restored.group(6)).isEqualTo(masterRaft);
                assertThat(restore.out()).doesNotContain("skipped damaged snapshot").doesNotContain("incomplete");
                assertThat(assertSameNamespace(metaloggerData, masterData, "the restored namespace"))
                        .isEqualTo(metaloggers);
                step("restored: " + restore.out().strip().replace('\n', ' '));

                // 'up' again starts the restored master; the chunk servers still run and come back to it.
                Launcher.Result again = cluster.up("--no-mount");
                assertThat(again.exitCode()).as(again.toString()).isZero();
                assertThat(again.out()).containsPattern("(?m)^  " + MASTER + " +pid \\d+ +started ");
                for (int k = 1; k <= CHUNK_SERVERS; k++) {
                    assertThat(again.out()).containsPattern("(?m)^  chunkserver-" + k + " +pid \\d+ +already running ");
                }
                assertThat(cluster.pids()).hasSize(1 + CHUNK_SERVERS).doesNotContain(deadMaster);
                Launcher.Result status = cluster.status("--json");
                assertThat(status.exitCode()).as(status.toString()).isZero();
                assertThat(status.out()).contains("\"clusterId\":\"" + clusterId + "\"")
                        .contains("\"chunkServersAlive\":" + CHUNK_SERVERS).doesNotContain("\"alive\":false");
                step("master restarted, chunk servers back");

                // Reads need replica locations, which the restored master has only from the chunk servers.
                for (Map.Entry<String, Path> file : files.entrySet()) {
                    assertThat(sha256(get(cluster, file.getKey()))).as(file.getKey())
                            .isEqualTo(sha256(file.getValue()));
                }
                assertThat(listings(cluster)).as("names, sizes, modes, times as before").isEqualTo(listings);
                Path after = put(cluster, "/kept/after-restore.bin", 3 << 20, 5);
                assertThat(sha256(get(cluster, "/kept/after-restore.bin"))).isEqualTo(sha256(after));
                step("files read back, new write read back");

                Launcher.Result down = cluster.down();
                assertThat(down.exitCode()).as(down.toString()).isZero();
                assertThat(cluster.seenPids()).noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive)
                        .orElse(false));
            }
        }
    }

    /** {@code bin/mooseng metalogger -c FILE} in the background, snapshotting as often as it may. */
    private Launcher.Background startMetalogger(LocalClusterProcesses cluster, Path data, String statusAddress,
                                                String masterRaft) throws IOException {
        int raftPort = cluster.freePortOutsidePlan();
        while (statusAddress.endsWith(":" + raftPort)) {
            raftPort = cluster.freePortOutsidePlan();
        }
        Path config = Files.writeString(dir.resolve("metalogger.cfg"), String.join("\n",
                "DATA_DIR = " + data,
                "LISTEN_HOST = 127.0.0.1",
                "RAFT_PORT = " + raftPort,
                "STATUS_PORT = " + statusAddress.substring(statusAddress.indexOf(':') + 1),
                "MASTER_PEERS = " + masterRaft,
                "SNAPSHOT_INTERVAL_S = " + SNAPSHOT_INTERVAL_S,
                "METADATA_CACHE_ENTRIES = 1000", ""));
        return Launcher.start(dir, dir.resolve("metalogger.log"),
                Map.of("MOOSENG_LOG_LEVEL", "INFO", "MOOSENG_JAVA_OPTS", "-XX:ActiveProcessorCount=2"),
                "metalogger", "-c", config.toString());
    }

    /** Polls until {@code condition} holds; on a timeout, fails with the metalogger's log. */
    private static <T> T awaitMetalogger(Launcher.Background metalogger, Duration atMost, Callable<T> poll,
                                         Predicate<T> condition) throws IOException {
        try {
            return await().atMost(atMost).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(poll, condition);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "\n--- metalogger log\n" + Files.readString(metalogger.log()), e);
        }
    }

    /** The metalogger's own {@code GET /status} (cheaper to poll than a CLI JVM). */
    private static String status(String address) throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + address + "/status"))
                    .timeout(Duration.ofSeconds(2)).build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            return response.body();
        }
    }

    private static long number(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":(\\d+)").matcher(json);
        assertThat(m.find()).as(field + " in " + json).isTrue();
        return Long.parseLong(m.group(1));
    }

    private Lag lag(LocalClusterProcesses cluster, String statusAddress) throws Exception {
        Launcher.Result run = ok(cluster, "admin", "metaloggers", "--at", statusAddress, "--json");
        Matcher m = ADMIN_METALOGGER.matcher(run.out());
        assertThat(m.find()).as(run.toString()).isTrue();
        return new Lag(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)),
                m.group(3).equals("null") ? null : Long.valueOf(m.group(3)));
    }

    /**
     * {@code admin digest} of two stopped daemons' stores; they must be equal (on a difference,
     * the namespaces' lines are compared, which shows where). Returns the digest.
     */
    private Digest assertSameNamespace(Path expected, Path actual, String what) throws Exception {
        List<Digest> digests = digests(expected, actual);
        if (!digests.get(0).equals(digests.get(1))) {
            String lines = digestCommand("--lines", expected.toString(), actual.toString()).out();
            int second = lines.indexOf("\nsha256 ") + 1;
            assertThat(lines.substring(second).lines().skip(1).toList()).as(what + " equals " + expected)
                    .containsExactlyElementsOf(lines.substring(0, second).lines().skip(1).toList());
        }
        assertThat(digests.get(1)).as(what + " equals " + expected).isEqualTo(digests.get(0));
        return digests.get(0);
    }

    private List<Digest> digests(Path... dataDirs) throws Exception {
        List<String> args = new ArrayList<>();
        for (Path d : dataDirs) {
            args.add(d.toString());
        }
        Launcher.Result run = digestCommand(args.toArray(String[]::new));
        List<Digest> digests = DIGEST.matcher(run.out()).results()
                .map(m -> new Digest(m.group(1), Long.parseLong(m.group(2)), m.group(3))).toList();
        assertThat(digests).as(run.toString()).hasSize(dataDirs.length);
        return digests;
    }

    private Launcher.Result digestCommand(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("admin", "digest", "--scratch", dir.resolve("scratch").toString()));
        all.addAll(List.of(args));
        Launcher.Result run = Launcher.run(LocalClusterProcesses.COMMAND_TIMEOUT, dir, all.toArray(String[]::new));
        assertThat(run.exitCode()).as(run.toString()).isZero();
        return run;
    }

    /** {@code fs ls -l} of each directory of the tree, by path. */
    private Map<String, String> listings(LocalClusterProcesses cluster) throws Exception {
        Map<String, String> listings = new LinkedHashMap<>();
        for (String directory : List.of("/kept", "/kept/deep")) {
            listings.put(directory, ok(cluster, "fs", "ls", "-l", directory).out());
        }
        return listings;
    }

    private Path put(LocalClusterProcesses cluster, String path, int bytes, long seed) throws Exception {
        byte[] data = new byte[bytes];
        new Random(seed).nextBytes(data);
        Path local = Files.write(dir.resolve("source-" + seed + ".bin"), data);
        ok(cluster, "fs", "put", local.toString(), path);
        return local;
    }

    private Path get(LocalClusterProcesses cluster, String path) throws Exception {
        Path local = dir.resolve("got" + path.replace('/', '-'));
        Files.deleteIfExists(local);
        ok(cluster, "fs", "get", path, local.toString());
        return local;
    }

    private Launcher.Result ok(LocalClusterProcesses cluster, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--dir", cluster.dir().toString()));
        Launcher.Result run = Launcher.run(LocalClusterProcesses.COMMAND_TIMEOUT, dir, all.toArray(String[]::new));
        assertThat(run.exitCode()).as(String.join(" ", args) + "\n" + run).isZero();
        return run;
    }

    /** Elapsed time per step, in the test's output file: where the minute goes. */
    private void step(String done) {
        System.out.printf("%6.1f s  %s%n", (System.nanoTime() - startNanos) / 1e9, done);
    }

    private static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    private static void deleteRecursively(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
        assertThat(root).doesNotExist();
    }
}
