package org.mooseng.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The FUSE mount of a local cluster ({@code mooseng up} mounts DIR/mnt) driven by standard
 * tools: cp + sha256sum, mkdir/mv/ln/rm, tar + diff, sparse dd, truncate, chmod/chown/touch
 * with nanoseconds past 2106, df and mount. The mount is always unmounted and every process
 * stopped by PID in {@link #stop}, also after a failure.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MountIT {
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    static LocalClusterProcesses cluster;
    static Path mnt;

    @BeforeAll
    static void upMountsTheCluster() throws Exception {
        cluster = new LocalClusterProcesses(dir, 3);
        Launcher.Result up = cluster.up();
        mnt = cluster.dir().resolve("mnt");
        assertThat(up.exitCode()).as(up.toString()).isZero();
        assertThat(up.out()).contains("mount-1").contains(mnt.toString());
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster == null) {
            return;
        }
        cluster.close(); // unmounts DIR/mnt first
    }

    @Test
    @Order(1)
    void mountShowsTypeFuseMoosengAndDfShowsTheClusterSize() throws Exception {
        assertThat(ok("mount")).contains("on " + mnt + " type fuse.mooseng");
        String df = ok("df -B1 --output=size,fstype " + q(mnt) + " | tail -1");
        long size = Long.parseLong(df.strip().split("\\s+")[0]);
        assertThat(size).isPositive();
        Launcher.Result status = cluster.status();
        assertThat(status.exitCode()).as(status.toString()).isZero();
        assertThat(status.out()).contains("mount-1").contains("mounted at " + mnt);
    }

    @Test
    @Order(2)
    void cpOf50MiBRandomKeepsTheSha256() throws Exception {
        Path source = dir.resolve("random.bin");
        ok("head -c 50M /dev/urandom > " + q(source));
        ok("cp " + q(source) + " " + q(mnt.resolve("random.bin")));
        String local = ok("sha256sum < " + q(source));
        // A fresh read through the kernel: drop cached pages first.
        ok("echo 3 > /proc/sys/vm/drop_caches || true");
        assertThat(ok("sha256sum < " + q(mnt.resolve("random.bin")))).isEqualTo(local);
        assertThat(ok("stat -c %s " + q(mnt.resolve("random.bin"))).strip()).isEqualTo(String.valueOf(50 << 20));
    }

    @Test
    @Order(3)
    void mkdirMvLnAndRmWorkOnTrees() throws Exception {
        ok("cd " + q(mnt) + " && mkdir -p a/b/c && echo one > a/b/c/f && mkdir other"
                + " && mv a/b/c/f other/g && mv a/b other/b && ln other/g hard && ln -s other/g soft");
        assertThat(ok("cat " + q(mnt.resolve("soft")))).isEqualTo("one\n");
        assertThat(ok("stat -c %h " + q(mnt.resolve("hard"))).strip()).isEqualTo("2");
        assertThat(ok("readlink " + q(mnt.resolve("soft"))).strip()).isEqualTo("other/g");
        assertThat(Files.isDirectory(mnt.resolve("other/b/c"))).isTrue();
        assertThat(Files.exists(mnt.resolve("a/b"))).isFalse();
        ok("rm -r " + q(mnt.resolve("other")) + " " + q(mnt.resolve("a")));
        assertThat(Files.exists(mnt.resolve("other"))).isFalse();
        assertThat(ok("cat " + q(mnt.resolve("hard")))).isEqualTo("one\n");
    }

    @Test
    @Order(4)
    void tarExtractMatchesTheLocalTree() throws Exception {
        Path tree = dir.resolve("tree");
        ok("mkdir -p " + q(tree.resolve("x/y/z")) + " && cd " + q(tree)
                + " && for i in $(seq 1 40); do head -c $((i * 3001)) /dev/urandom > x/f$i; done"
                + " && ln -s f1 x/link && echo text > x/y/z/t && chmod 600 x/y/z/t"
                + " && tar cf " + q(dir.resolve("tree.tar")) + " .");
        ok("mkdir " + q(mnt.resolve("untar")) + " && tar xf " + q(dir.resolve("tree.tar")) + " -C "
                + q(mnt.resolve("untar")));
        ok("diff -r " + q(tree) + " " + q(mnt.resolve("untar")));
        assertThat(ok("stat -c %a " + q(mnt.resolve("untar/x/y/z/t"))).strip()).isEqualTo("600");
    }

    @Test
    @Order(5)
    void ddWithSeekMakesASparseFileAndNotruncKeepsTheRest() throws Exception {
        Path sparse = mnt.resolve("sparse");
        ok("dd if=/dev/zero of=" + q(sparse) + " bs=1k count=1 seek=10000 status=none");
        assertThat(ok("stat -c %s " + q(sparse)).strip()).isEqualTo(String.valueOf(10001 * 1024));
        assertThat(ok("head -c 4096 " + q(sparse) + " | tr -d '\\0' | wc -c").strip()).isEqualTo("0");
        Path f = mnt.resolve("notrunc");
        ok("printf 0123456789 > " + q(f) + " && printf abc | dd of=" + q(f)
                + " bs=1 seek=3 conv=notrunc status=none");
        assertThat(ok("cat " + q(f))).isEqualTo("012abc6789");
        ok("truncate -s 5 " + q(f));
        assertThat(ok("cat " + q(f))).isEqualTo("012ab");
        ok("truncate -s 1M " + q(f));
        assertThat(ok("stat -c %s " + q(f)).strip()).isEqualTo(String.valueOf(1 << 20));
    }

    @Test
    @Order(6)
    void chmodChownAndTouchWithNanosecondsPast2106() throws Exception {
        Path f = mnt.resolve("attrs");
        // chown clears set-user-ID (as on any POSIX file system), so chmod comes after it.
        ok("touch " + q(f) + " && chown 1234:5678 " + q(f) + " && chmod 4751 " + q(f)
                + " && touch -d '2200-03-04 05:06:07.123456789 UTC' " + q(f));
        assertThat(ok("stat -c '%a %u %g' " + q(f)).strip()).isEqualTo("4751 1234 5678");
        assertThat(ok("TZ=UTC stat -c %y " + q(f)).strip()).isEqualTo("2200-03-04 05:06:07.123456789 +0000");
        assertThat(ok("stat -c %Y " + q(f)).strip()).isEqualTo("7263493567");
    }

    @Test
    @Order(7)
    void downUnmountsAndStopsTheMountProcess() throws Exception {
        List<Long> pids = cluster.pids();
        Launcher.Result down = cluster.down();
        assertThat(down.exitCode()).as(down.toString()).isZero();
        assertThat(down.out()).contains("mount-1: unmounted " + mnt);
        assertThat(ok("mount")).doesNotContain(mnt.toString());
        for (long pid : pids) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("pid " + pid).isFalse();
        }
    }

    // ------------------------------------------------------------ shell helpers

    private static String q(Path path) {
        return "'" + path.toString().replace("'", "'\\''") + "'";
    }

    /** Runs a bash command line; fails the test with its output when it exits non-zero. */
    private static String ok(String command) throws IOException, InterruptedException {
        Result r = sh(command);
        assertThat(r.exitCode()).as(command + "\n" + r.output()).isZero();
        return r.output();
    }

    private record Result(int exitCode, String output) {
    }

    private static Result sh(String command) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "sh", ".out");
        Process process = new ProcessBuilder(new ArrayList<>(List.of("bash", "-c", command)))
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            if (!process.waitFor(TOOL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("timed out: " + command);
            }
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            process.destroyForcibly();
            Files.deleteIfExists(out);
        }
    }
}
