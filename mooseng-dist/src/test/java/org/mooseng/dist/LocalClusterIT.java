package org.mooseng.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local cluster lifecycle through the built bin/mooseng: up, status, down, up again. */
class LocalClusterIT {
    private static final int CHUNK_SERVERS = 3;

    @Test
    void upStatusDownAndRestartKeepTheCluster(@TempDir Path dir) throws Exception {
        try (LocalClusterProcesses cluster = new LocalClusterProcesses(dir, CHUNK_SERVERS)) {
            Launcher.Result up = cluster.up("--chunkservers", String.valueOf(CHUNK_SERVERS));
            assertThat(up.exitCode()).as(up.toString()).isZero();
            String clusterId = cluster.clusterId();
            assertThat(up.out()).contains("formatted new cluster " + clusterId)
                    .contains("master at 127.0.0.1:" + (cluster.basePort() + 2));
            assertThat(cluster.pids()).as("master, chunk servers and the mount")
                    .hasSize(1 + CHUNK_SERVERS + 1).allMatch(LocalClusterIT::alive);
            assertThat(Files.readString(cluster.dir().resolve("mooseng-cluster.conf")))
                    .contains("MASTERS = 127.0.0.1:" + (cluster.basePort() + 2) + "\n");
            Path masterLog = cluster.dir().resolve("log/master-1.log");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Files.readString(masterLog))
                    .contains("INFO  RoleRuntime - master-1: running"));
            assertThat(Files.readString(masterLog)).doesNotContain("SLF4J(W)", "WARNING: ", "NoSuchMethodError");

            Launcher.Result status = cluster.status("--json");
            assertThat(status.exitCode()).as(status.toString()).isZero();
            assertThat(status.out()).contains("\"clusterId\":\"" + clusterId + "\"", "\"raftRole\":\"leader\"")
                    .contains("\"answered\":true")
                    .contains("\"chunkServersAlive\":" + CHUNK_SERVERS)
                    .contains("\"name\":\"chunkserver-3\"")
                    .doesNotContain("\"alive\":false");

            Launcher.Result down = cluster.down();
            assertThat(down.exitCode()).as(down.toString()).isZero();
            assertThat(down.out()).contains("mount-1: unmounted", "master-1: stopped", "chunkserver-3: stopped");
            assertThat(cluster.pids()).isEmpty();
            assertThat(cluster.seenPids()).noneMatch(LocalClusterIT::alive);
            Launcher.Result stopped = cluster.status();
            assertThat(stopped.exitCode()).as(stopped.toString()).isEqualTo(3);
            assertThat(stopped.out()).contains("master not answering");

            Launcher.Result again = cluster.up();
            assertThat(again.exitCode()).as(again.toString()).isZero();
            assertThat(again.out()).contains("restarting cluster " + clusterId).doesNotContain("formatted");
            assertThat(cluster.clusterId()).isEqualTo(clusterId);
            Launcher.Result restarted = cluster.status("--json");
            assertThat(restarted.out()).contains("\"clusterId\":\"" + clusterId + "\"")
                    .contains("\"chunkServersAlive\":" + CHUNK_SERVERS);

            Launcher.Result noop = cluster.up();
            assertThat(noop.exitCode()).as(noop.toString()).isZero();
            assertThat(noop.out()).contains("already running").doesNotContain(" started ");

            assertThat(cluster.down().exitCode()).isZero();
        }
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
