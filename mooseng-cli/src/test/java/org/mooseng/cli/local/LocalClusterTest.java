package org.mooseng.cli.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.cli.CliException;
import org.mooseng.cli.Role;

class LocalClusterTest {

    @Test
    void portClashLeavesNoHalfMadeCluster(@TempDir Path dir) throws IOException {
        LocalCluster cluster = new LocalCluster(new LocalLayout(dir));
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            PortPlan ports = new PortPlan(taken.getLocalPort());

            assertThatThrownBy(() -> cluster.create(ports, 1, 1)).isInstanceOf(CliException.class)
                    .hasMessageContaining("port " + taken.getLocalPort() + " is in use");
        }
        assertThat(cluster.exists()).isFalse();
        assertThat(dir.resolve("etc")).doesNotExist();
        assertThat(dir.resolve("data")).doesNotExist();
    }

    @Test
    void stopTerminatesADaemonAndRemovesItsPidFile(@TempDir Path dir) throws Exception {
        LocalCluster cluster = new LocalCluster(new LocalLayout(dir));
        Instance instance = new Instance(Role.CHUNKSERVER, 1);
        Process process = fakeDaemon(cluster, instance, "sleep 60");
        try {
            List<LocalCluster.Stopped> stopped = cluster.stop(List.of(instance), Duration.ofSeconds(10));

            assertThat(stopped).containsExactly(
                    new LocalCluster.Stopped(instance, process.pid(), LocalCluster.StopOutcome.STOPPED));
            assertThat(process.isAlive()).isFalse();
            assertThat(dir.resolve("run/chunkserver-1.pid")).doesNotExist();
        } finally {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void daemonIgnoringSigtermIsKilledAfterTheGracePeriod(@TempDir Path dir) throws Exception {
        LocalCluster cluster = new LocalCluster(new LocalLayout(dir));
        Instance instance = new Instance(Role.MASTER, 1);
        Process process = fakeDaemon(cluster, instance, "trap '' TERM; echo ready; while :; do sleep 1; done");
        try {
            // SIGTERM before the trap is set would end the shell: wait until it says the trap is in place.
            assertThat(new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream())).readLine())
                    .isEqualTo("ready");
            List<LocalCluster.Stopped> stopped = cluster.stop(List.of(instance), Duration.ofMillis(300));

            assertThat(stopped).extracting(LocalCluster.Stopped::outcome).containsExactly(LocalCluster.StopOutcome.KILLED);
            assertThat(process.isAlive()).isFalse();
        } finally {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void instanceWithoutAPidFileIsReportedNotRunning(@TempDir Path dir) throws IOException {
        LocalCluster cluster = new LocalCluster(new LocalLayout(dir));
        Instance instance = new Instance(Role.CHUNKSERVER, 2);

        assertThat(cluster.stop(List.of(instance), Duration.ofSeconds(1))).extracting(LocalCluster.Stopped::outcome)
                .containsExactly(LocalCluster.StopOutcome.NOT_RUNNING);
    }

    /** A shell standing in for a daemon: its arguments name the instance's config, as a real one's do. */
    private static Process fakeDaemon(LocalCluster cluster, Instance instance, String script) throws IOException {
        Path config = cluster.layout().config(instance);
        Files.createDirectories(config.getParent());
        Process process = new ProcessBuilder("/bin/sh", "-c", script, "sh", config.toString()).start();
        cluster.pidFile(instance).write(process.pid());
        return process;
    }
}
