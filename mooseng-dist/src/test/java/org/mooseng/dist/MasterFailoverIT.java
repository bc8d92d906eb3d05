package org.mooseng.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
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

    @TempDir
    Path dir;

    @Test
    void killMinus9OfTheLeaderElectsAnotherAndTheClusterServesOn() throws Exception {
        try (LocalClusterProcesses cluster = new LocalClusterProcesses(dir, MASTERS, CHUNK_SERVERS)) {
            MasterGroupProcesses group = new MasterGroupProcesses(cluster, dir, MASTERS);
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
            assertThat(group.command("fs", "put", before.toString(), "/before.bin").exitCode()).isZero();
            MasterGroupProcesses.Member leader = MasterGroupProcesses.leaderOf(group.awaitSteady(3));

            group.kill9(leader.master());

            MasterGroupProcesses.Member next = MasterGroupProcesses.leaderOf(group.awaitSteady(2));
            assertThat(next.clientPort()).isNotEqualTo(leader.clientPort());
            assertThat(next.term()).isGreaterThan(leader.term());

            Path written = write(dir.resolve("after.bin"), 5_000_000, 2);
            Launcher.Result put = group.command("fs", "put", written.toString(), "/after.bin");
            assertThat(put.exitCode()).as(put.toString()).isZero();
            for (String name : List.of("before.bin", "after.bin")) {
                Path got = dir.resolve("got-" + name);
                Launcher.Result get = group.command("fs", "get", "/" + name, got.toString());
                assertThat(get.exitCode()).as(get.toString()).isZero();
                assertThat(Files.mismatch(got, dir.resolve(name))).as(name).isEqualTo(-1L);
            }

            Launcher.Result down = cluster.down();
            assertThat(down.exitCode()).as(down.toString()).isZero();
            assertThat(cluster.seenPids()).noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive)
                    .orElse(false));
        }
    }

    private static Path write(Path file, int bytes, long seed) throws Exception {
        byte[] data = new byte[bytes];
        new Random(seed).nextBytes(data);
        return Files.write(file, data);
    }
}
