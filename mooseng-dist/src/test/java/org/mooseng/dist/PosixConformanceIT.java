package org.mooseng.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The C conformance suite ({@code posix/run.sh}) with a local directory as reference and the
 * FUSE mount of a fresh local cluster as target: every case's transcript must match. No case
 * is skipped, so a mount that still lacks a behaviour fails here with the suite's diff.
 */
class PosixConformanceIT {
    /**
     * The whole suite takes about 40 s here; the bounds only stop a hung case (cut by the
     * runner's own per-case timeout, which it reports as a failure) or a hung runner.
     */
    private static final Duration SUITE_TIMEOUT = Duration.ofSeconds(170);
    private static final String CASE_TIMEOUT_SECONDS = "60";

    @TempDir
    static Path dir;
    static LocalClusterProcesses cluster;
    static Path mnt;

    @BeforeAll
    static void upMountsTheCluster() throws Exception {
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
    void everyCaseOnTheMountMatchesTheLocalReference() throws Exception {
        Path runner = projectRoot().resolve("posix/run.sh");
        assertThat(runner).as("the suite's runner").isExecutable();
        Path reference = Files.createDirectories(dir.resolve("reference"));

        Shell.Result run = new Shell(dir, SUITE_TIMEOUT).sh(Shell.q(runner) + " " + Shell.q(reference) + " "
                + Shell.q(mnt), Map.of("POSIX_CASE_TIMEOUT_SECONDS", CASE_TIMEOUT_SECONDS), SUITE_TIMEOUT);

        // The runner's last line is "N passed, M failed"; the diffs of the failures precede it.
        assertThat(run.output()).as(run.toString()).containsPattern("(?m)^[1-9][0-9]* passed, 0 failed$");
        assertThat(run.exitCode()).as(run.toString()).isZero();
    }

    private static Path projectRoot() {
        String root = System.getProperty("mooseng.root");
        if (root == null) {
            throw new IllegalStateException("system property mooseng.root is not set (run through 'mvn verify')");
        }
        return Path.of(root).toAbsolutePath().normalize();
    }
}
