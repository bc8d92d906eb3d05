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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two FUSE mounts of one cluster (the one {@code up} makes and a second {@code mooseng mount})
 * behave like two clients: a closed file is seen by the other at its next open, renames and
 * unlinks within the kernel cache timeout, and flock(2) and fcntl(2) locks taken through one
 * mount exclude the other until the holding process exits.
 */
class TwoMountsIT {
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(30);
    /** The mount's default attr_timeout/entry_timeout is 1 s; allow scheduling slack on a busy machine. */
    private static final Duration CACHE_TIMEOUT = Duration.ofSeconds(5);

    /** Takes an exclusive fcntl lock on argv[1], writes argv[2] when it holds it, keeps it until stdin ends. */
    private static final String FCNTL_HOLDER = """
            import fcntl, sys
            f = open(sys.argv[1], 'a')
            fcntl.lockf(f, fcntl.LOCK_EX)
            open(sys.argv[2], 'w').write('locked')
            sys.stdin.read()
            """;
    /** Exit 0 if an exclusive fcntl lock on argv[1] is granted at once, 1 if it conflicts. */
    private static final String FCNTL_TRY = """
            import errno, fcntl, sys
            f = open(sys.argv[1], 'a')
            try:
                fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as e:
                sys.exit(1 if e.errno in (errno.EAGAIN, errno.EACCES) else 2)
            """;

    @TempDir
    static Path dir;
    static LocalClusterProcesses cluster;
    static Path mnt1;
    static Path mnt2;
    static Path mount2Pid;
    static Shell shell;

    @BeforeAll
    static void upAndMountASecondTime() throws Exception {
        shell = new Shell(dir, TOOL_TIMEOUT);
        cluster = new LocalClusterProcesses(dir, 3);
        Launcher.Result up = cluster.up();
        mnt1 = cluster.dir().resolve("mnt");
        assertThat(up.exitCode()).as(up.toString()).isZero();

        mnt2 = Files.createDirectories(dir.resolve("mnt2"));
        mount2Pid = dir.resolve("mount2.pid");
        Launcher.Result mount = Launcher.run(LocalClusterProcesses.COMMAND_TIMEOUT, dir, "mount", mnt2.toString(),
                "--dir", cluster.dir().toString(), "--pid-file", mount2Pid.toString(),
                "--log", dir.resolve("mount2.log").toString());
        assertThat(mount.exitCode()).as(mount.toString()).isZero();
        String mounts = Files.readString(Path.of("/proc/mounts"));
        assertThat(mounts).contains(" " + mnt1 + " fuse.mooseng ").contains(" " + mnt2 + " fuse.mooseng ");
        Files.writeString(dir.resolve("fcntl-holder.py"), FCNTL_HOLDER);
        Files.writeString(dir.resolve("fcntl-try.py"), FCNTL_TRY);
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster == null) {
            return;
        }
        try {
            Shell.unmount(mnt2);
            Shell.killByPidFile(mount2Pid);
            Shell.unmount(mnt2);
            Shell.unmount(mnt1);
        } finally {
            cluster.close();
        }
    }

    @Test
    void aClosedFileIsSeenThroughTheOtherMountAtItsNextOpen() throws Exception {
        shell.ok("printf 'version one' > " + q(mnt1.resolve("c2o")));
        assertThat(shell.ok("cat " + q(mnt2.resolve("c2o")))).isEqualTo("version one");

        // mnt2 now has the old size and pages cached; its next open must still see the new content.
        shell.ok("printf 'version two, which is longer' > " + q(mnt1.resolve("c2o")));
        assertThat(shell.ok("cat " + q(mnt2.resolve("c2o")))).isEqualTo("version two, which is longer");
        shell.ok("printf 'v3' > " + q(mnt2.resolve("c2o")));
        assertThat(shell.ok("cat " + q(mnt1.resolve("c2o")))).isEqualTo("v3");
    }

    @Test
    void renameAndUnlinkThroughOneMountShowThroughTheOtherWithinTheCacheTimeout() throws Exception {
        shell.ok("mkdir " + q(mnt1.resolve("ren")) + " && echo payload > " + q(mnt1.resolve("ren/before")));
        // Look the names up through mnt2 first, so its kernel caches hold the old entries.
        assertThat(shell.ok("cat " + q(mnt2.resolve("ren/before")))).isEqualTo("payload\n");
        assertThat(Files.exists(mnt2.resolve("ren/after"))).isFalse();

        shell.ok("mv " + q(mnt1.resolve("ren/before")) + " " + q(mnt1.resolve("ren/after")));
        await().atMost(CACHE_TIMEOUT).pollInterval(Duration.ofMillis(100))
                .until(() -> !Files.exists(mnt2.resolve("ren/before")) && Files.exists(mnt2.resolve("ren/after")));
        assertThat(shell.ok("cat " + q(mnt2.resolve("ren/after")))).isEqualTo("payload\n");

        shell.ok("rm " + q(mnt2.resolve("ren/after")));
        await().atMost(CACHE_TIMEOUT).pollInterval(Duration.ofMillis(100))
                .until(() -> !Files.exists(mnt1.resolve("ren/after")));
        assertThat(shell.ok("ls -A " + q(mnt1.resolve("ren")))).isEmpty();
    }

    @Test
    void anExclusiveFlockThroughOneMountRefusesTheOtherUntilTheHolderExits() throws Exception {
        Path file = mnt1.resolve("flocked");
        Path marker = dir.resolve("flock-held");
        shell.ok(": > " + q(file));
        Process holder = new ProcessBuilder("bash", "-c", "exec 9>>" + q(file) + " && flock -x 9 && echo locked > "
                + q(marker) + " && read -r _").redirectErrorStream(true).redirectOutput(dir.resolve("flock.out").toFile())
                .start();
        try {
            await().atMost(TOOL_TIMEOUT).until(() -> Files.exists(marker) || !holder.isAlive());
            assertThat(holder.isAlive()).as("flock holder: " + Files.readString(dir.resolve("flock.out"))).isTrue();
            // Through the same mount the kernel alone would refuse it; through the other only the cluster can.
            assertThat(shell.sh("flock -n -x " + q(file) + " true").exitCode()).isEqualTo(1);
            assertThat(shell.sh("flock -n -x " + q(mnt2.resolve("flocked")) + " true").exitCode())
                    .as("flock -n through the second mount while the first holds LOCK_EX").isEqualTo(1);
            assertThat(shell.sh("flock -n -s " + q(mnt2.resolve("flocked")) + " true").exitCode())
                    .as("shared flock through the second mount while the first holds LOCK_EX").isEqualTo(1);

            holder.getOutputStream().close();
            assertThat(holder.waitFor(TOOL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            await().atMost(CACHE_TIMEOUT).pollInterval(Duration.ofMillis(100))
                    .until(() -> shell.sh("flock -n -x " + q(mnt2.resolve("flocked")) + " true").exitCode() == 0);
        } finally {
            Shell.kill(holder.toHandle());
        }
    }

    @Test
    void anExclusiveFcntlLockThroughOneMountRefusesTheOtherUntilTheHolderExits() throws Exception {
        Path file = mnt1.resolve("fcntl-locked");
        Path marker = dir.resolve("fcntl-held");
        shell.ok(": > " + q(file));
        Process holder = new ProcessBuilder(List.of("python3", dir.resolve("fcntl-holder.py").toString(),
                file.toString(), marker.toString())).redirectErrorStream(true)
                .redirectOutput(dir.resolve("fcntl.out").toFile()).start();
        try {
            await().atMost(TOOL_TIMEOUT).until(() -> Files.exists(marker) || !holder.isAlive());
            assertThat(holder.isAlive()).as("fcntl holder: " + Files.readString(dir.resolve("fcntl.out"))).isTrue();
            assertThat(tryFcntl(file)).as("F_SETLK through the same mount").isEqualTo(1);
            assertThat(tryFcntl(mnt2.resolve("fcntl-locked"))).as("F_SETLK through the second mount").isEqualTo(1);

            holder.getOutputStream().close();
            assertThat(holder.waitFor(TOOL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            await().atMost(CACHE_TIMEOUT).pollInterval(Duration.ofMillis(100))
                    .until(() -> tryFcntl(mnt2.resolve("fcntl-locked")) == 0);
        } finally {
            Shell.kill(holder.toHandle());
        }
    }

    private static int tryFcntl(Path file) throws IOException, InterruptedException {
        return shell.sh("python3 " + q(dir.resolve("fcntl-try.py")) + " " + q(file)).exitCode();
    }
}
