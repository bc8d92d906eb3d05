package org.mooseng.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mooseng.cli.CliRun;
import org.mooseng.cli.Main;
import org.mooseng.cli.local.LocalCluster;
import org.mooseng.cli.local.LocalLayout;
import org.mooseng.cli.local.PortPlan;

/** Argument handling of {@code bench failover} and {@code bench meta}; the benchmarks need a live cluster. */
class BenchCommandsTest {

    @Test
    void benchListsFailoverAndMeta() {
        CliRun run = CliRun.of("bench", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("client", "failover", "meta");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "bench failover",
            "bench failover --dir /tmp/x --kills 0",
            "bench failover --dir /tmp/x --writers 0",
            "bench failover --dir /tmp/x --kills many",
            "bench failover --dir /tmp/x --load-before-kill-ms -1",
            "bench meta --ops 0",
            "bench meta --threads 0",
            "bench meta --bogus",
    })
    void badArgumentsPrintUsageAndExit2(String line) {
        CliRun run = CliRun.of(line.split(" "));

        assertThat(run.exitCode()).as(line).isEqualTo(Main.EXIT_USAGE);
        assertThat(run.err()).as(line).contains("Usage: mooseng bench");
        assertThat(run.out()).as(line).isEmpty();
    }

    @Test
    void failoverWithoutAClusterNamesTheMissingFile(@TempDir Path dir) {
        CliRun run = CliRun.of("bench", "failover", "--dir", dir.toString(), "--kills", "1");

        assertThat(run.exitCode()).isEqualTo(Main.EXIT_ERROR);
        assertThat(run.err()).contains(dir.resolve("mooseng-cluster.conf").toString(), "no cluster file",
                "up --masters 3");
    }

    @Test
    void failoverRefusesASingleMasterBeforeConnectingToIt(@TempDir Path dir) throws IOException {
        new LocalCluster(new LocalLayout(dir)).create(freePlan(), 1, 1);

        CliRun run = CliRun.of("bench", "failover", "--dir", dir.toString(), "--kills", "1");

        assertThat(run.exitCode()).isEqualTo(Main.EXIT_ERROR);
        assertThat(run.err()).contains("has 1 master(s)", "a group of 3 or 5");
    }

    /** A base port whose master and chunk-server ports are free now (never started here, only checked). */
    private static PortPlan freePlan() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base;
            try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                base = probe.getLocalPort();
            }
            if (base + 20 > 65535) {
                continue;
            }
            PortPlan plan = new PortPlan(base);
            boolean free = true;
            for (int port : plan.ports(1, 1)) {
                try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                    socket.getLocalPort();
                } catch (IOException e) {
                    free = false;
                }
            }
            if (free) {
                return plan;
            }
        }
        throw new IOException("no free base port found");
    }
}
