package org.mooseng.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.client.FileStat;
import org.mooseng.client.MoosengClient;
import org.mooseng.client.MoosengException;
import org.mooseng.client.MoosengFile;
import org.mooseng.client.OpenFlag;
import org.mooseng.client.SessionOptions;
import org.mooseng.common.Status;
import org.mooseng.master.MasterConfig;

/**
 * A file open for reading only, which the leader holds in memory rather than in the log, is
 * unlinked; the leader is killed with -9. The new leader knows nothing of that open until the
 * client gives it back; past the lock grace period (in which nothing is purged) the file must
 * still be there and read whole through the open handle, and once the handle is closed the
 * leader's purge deletes it.
 */
class HeldOpenFailoverIT {
    private static final int MASTERS = 3;
    private static final int CHUNK_SERVERS = 3;
    private static final int BYTES = 3_000_000;

    @TempDir
    Path dir;

    @Test
    void anUnlinkedFileOpenForReadingOutlivesTheLeaderThatHeldItsOpenUntilClosed() throws Exception {
        try (LocalClusterProcesses cluster = new LocalClusterProcesses(dir, MASTERS, CHUNK_SERVERS)) {
            MasterGroupProcesses group = new MasterGroupProcesses(cluster, dir, MASTERS);
            Launcher.Result up = cluster.up("--masters", String.valueOf(MASTERS), "--no-mount");
            assertThat(up.exitCode()).as(up.toString()).isZero();
            MasterGroupProcesses.Member leader = MasterGroupProcesses.leaderOf(group.awaitSteady(MASTERS));
            byte[] data = new byte[BYTES];
            new Random(11).nextBytes(data);

            try (MoosengClient reader = MoosengClient.connect(group.clientOptions()
                         .session(new SessionOptions(true, 0, "reader", "/reader")).build());
                 MoosengClient other = MoosengClient.connect(group.clientOptions().build())) {
                try (MoosengFile file = other.create("/kept.bin", 0644, true)) {
                    file.write(0, ByteBuffer.wrap(data));
                }
                MoosengFile open = reader.open("/kept.bin", OpenFlag.READ);
                FileStat stat = open.statAtOpen();
                other.unlink("/kept.bin");
                assertThat(other.stat(stat.inode()).nlink()).isZero();

                group.kill9(leader.master());
                MasterGroupProcesses.Member next = MasterGroupProcesses.leaderOf(group.awaitSteady(MASTERS - 1));
                assertThat(next.term()).isGreaterThan(leader.term());
                // Any answer from the new leader makes the reader renew, learn the term and give
                // its opens back. Then wait out the whole grace period, which a reader that gave
                // nothing back could not hold up any longer, and a few purge rounds after it.
                reader.stat("/");
                Thread.sleep(MasterConfig.LOCK_RECLAIM_GRACE_MS.defaultValue() + 2_000);

                assertThatCode(() -> other.stat(stat.inode())).as("the unlinked file, still open, is kept")
                        .doesNotThrowAnyException();
                assertThat(other.stat(stat.inode()).nlink()).isZero();
                ByteBuffer read = ByteBuffer.allocate(BYTES + 1);
                while (open.read(read.position(), read) > 0) {
                    // until end of file
                }
                assertThat(read.flip()).isEqualTo(ByteBuffer.wrap(data));

                open.close();
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                        assertThatThrownBy(() -> other.stat(stat.inode())).isInstanceOfSatisfying(
                                MoosengException.class, e -> assertThat(e.status()).isEqualTo(Status.ENOENT)));
            }
            assertThat(cluster.down().exitCode()).isZero();
            assertThat(cluster.seenPids()).noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive)
                    .orElse(false));
        }
    }
}
