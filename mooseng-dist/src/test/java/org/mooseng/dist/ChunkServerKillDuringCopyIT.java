package org.mooseng.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mooseng.dist.Shell.q;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A chunk server dies (SIGKILL) while {@code cp} writes 1 GiB through the FUSE mount: the
 * client must carry the write over to the surviving replicas, so cp exits 0 and the copy
 * read back from the servers (page cache dropped) has the source's SHA-256.
 */
class ChunkServerKillDuringCopyIT {
    private static final long SIZE_BYTES = 1L << 30;
    private static final Duration COPY_TIMEOUT = Duration.ofSeconds(90);
    private static final Pattern READ_BYTES = Pattern.compile("(?m)^rchar: (\\d+)$");

    @TempDir
    static Path dir;
    static LocalClusterProcesses cluster;
    static Path mnt;
    static Shell shell;

    @BeforeAll
    static void upMountsTheCluster() throws Exception {
        shell = new Shell(dir, Duration.ofSeconds(60));
        cluster = LocalClusterProcesses.upMounted(dir, 3);
        mnt = cluster.mnt();
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster == null) {
            return;
        }
        cluster.close(); // unmounts DIR/mnt first
    }

    @Test
    void cpSurvivesAChunkServerKilledAfterAThirdAndTheCopyKeepsTheSha256() throws Exception {
        Path source = dir.resolve("random-1GiB");
        Path target = mnt.resolve("random-1GiB");
        shell.ok("head -c " + SIZE_BYTES + " /dev/urandom > " + q(source));
        String expected = shell.ok("sha256sum < " + q(source));

        Path cpOutput = dir.resolve("cp.out");
        // cp itself, not a shell around it, so /proc/PID/io counts the bytes cp has read.
        Process cp = new ProcessBuilder(List.of("cp", source.toString(), target.toString())).redirectErrorStream(true)
                .redirectOutput(cpOutput.toFile()).start();
        try {
            long third = SIZE_BYTES * 3 / 10;
            await().atMost(COPY_TIMEOUT).pollInterval(Duration.ofMillis(50))
                    .until(() -> !cp.isAlive() || bytesRead(cp.pid()) >= third);
            assertThat(cp.isAlive()).as("cp finished before 30% could be seen: " + Files.readString(cpOutput)).isTrue();
            // The victim must hold part of this file, or its death would not touch the copy: the
            // chunk server holding most chunk files (placement among servers with equal free
            // space is random, so which ones hold the first chunks varies).
            String victim = "chunkserver-1";
            for (String daemon : List.of("chunkserver-2", "chunkserver-3")) {
                if (chunkFiles(daemon) > chunkFiles(victim)) {
                    victim = daemon;
                }
            }
            assertThat(chunkFiles(victim)).as("chunk files on %s at 30%%", victim).isPositive();
            long killed = kill9(victim);

            assertThat(cp.waitFor(COPY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).as("cp finishes").isTrue();
            assertThat(cp.exitValue()).as("cp after " + victim + " (pid " + killed + ") was killed: "
                    + Files.readString(cpOutput)).isZero();
        } finally {
            Shell.kill(cp.toHandle());
        }

        shell.ok("sync; echo 3 > /proc/sys/vm/drop_caches");
        assertThat(shell.ok("stat -c %s " + q(target)).strip()).isEqualTo(String.valueOf(SIZE_BYTES));
        assertThat(shell.ok("sha256sum < " + q(target))).isEqualTo(expected);
    }

    /** Bytes the process has read so far, from /proc/PID/io; 0 while it cannot be read. */
    private static long bytesRead(long pid) {
        try {
            Matcher m = READ_BYTES.matcher(Files.readString(Path.of("/proc/" + pid + "/io")));
            return m.find() ? Long.parseLong(m.group(1)) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static long chunkFiles(String daemon) throws IOException {
        Path chunks = cluster.dir().resolve("data/" + daemon + "/chunks");
        if (!Files.isDirectory(chunks)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(chunks)) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    private static long kill9(String daemon) throws Exception {
        long pid = Long.parseLong(Files.readString(cluster.dir().resolve("run/" + daemon + ".pid")).strip());
        ProcessHandle process = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError(daemon + " is not running"));
        assertThat(new ProcessBuilder("kill", "-9", String.valueOf(pid)).start().waitFor()).isZero();
        process.onExit().get(10, TimeUnit.SECONDS);
        return pid;
    }
}
