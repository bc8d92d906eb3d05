package org.mooseng.cli.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.chunkserver.ChunkServer;
import org.mooseng.chunkserver.ChunkServerConfig;
import org.mooseng.cli.CliRun;
import org.mooseng.cli.Role;
import org.mooseng.cli.local.ClusterFile;
import org.mooseng.cli.local.Instance;
import org.mooseng.cli.local.LocalCluster;
import org.mooseng.cli.local.LocalLayout;
import org.mooseng.cli.local.PortPlan;
import org.mooseng.common.config.Config;
import org.mooseng.master.MasterConfig;
import org.mooseng.master.MasterServer;

/**
 * A local cluster's configs as {@code up --masters 3} writes them (three masters on one
 * loopback address, each with its own ports), run in this JVM with two real chunk servers:
 * {@code admin masters} and {@code transfer-leader}, and a failover after which the new leader
 * knows every replica although the chunk servers are gone and never registered with it anew.
 */
class MasterGroupCommandsTest {
    private static final Duration AWAIT = Duration.ofSeconds(30);
    private static final Pattern MEMBER = Pattern.compile(
            "\\{\"address\":\"([^\"]+)\",\"raftAddress\":\"[^\"]+\",\"role\":\"(\\w+)\",\"term\":(\\d+),"
                    + "\"commitIndex\":(\\d+),\"appliedIndex\":(\\d+)");

    @TempDir
    Path dir;
    private final List<MasterServer> masters = new ArrayList<>();
    private final List<ChunkServer> chunkServers = new ArrayList<>();

    @AfterEach
    void stop() {
        chunkServers.forEach(ChunkServer::close);
        masters.forEach(MasterServer::close);
    }

    private record Member(String address, String role, long term, long commit, long applied) {
    }

    private List<Member> members(CliRun run) {
        List<Member> found = new ArrayList<>();
        Matcher m = MEMBER.matcher(run.out());
        while (m.find()) {
            found.add(new Member(m.group(1), m.group(2), Long.parseLong(m.group(3)), Long.parseLong(m.group(4)),
                    Long.parseLong(m.group(5))));
        }
        return found;
    }

    private CliRun cli(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--dir", dir.toString()));
        return CliRun.of(all.toArray(String[]::new));
    }

    @Test
    void mastersShowsTheGroupLeadershipMovesAndTheNextLeaderKnowsEveryReplica() throws Exception {
        LocalCluster cluster = new LocalCluster(new LocalLayout(dir));
        ClusterFile clusterFile = cluster.create(freePlan(), 3, 2);
        for (Instance master : cluster.layout().configuredMasters()) {
            Config config = Role.MASTER.load(cluster.layout().config(master))
                    .with(MasterConfig.RAFT_ELECTION_TIMEOUT_MS, 300L)
                    // The chunk servers are stopped before the failover: they must still count as alive after it.
                    .with(MasterConfig.CHUNKSERVER_TIMEOUT_MS, 120_000L);
            masters.add(MasterServer.start(config));
        }
        for (int k = 1; k <= 2; k++) {
            Config config = Role.CHUNKSERVER.load(cluster.layout().config(new Instance(Role.CHUNKSERVER, k)))
                    .with(ChunkServerConfig.DATA_PORT, 0L).with(ChunkServerConfig.HEARTBEAT_INTERVAL_MS, 100L);
            chunkServers.add(ChunkServer.start(config));
        }
        for (ChunkServer server : chunkServers) {
            await().atMost(AWAIT).until(() -> server.registeredWith().size() == 3);
        }

        // One leader, two followers, all at the same commit index once the followers caught up.
        await().atMost(AWAIT).untilAsserted(() -> {
            CliRun run = cli("admin", "masters", "--json");
            assertThat(run.exitCode()).as(run.err()).isZero();
            List<Member> group = members(run);
            assertThat(group).extracting(Member::role).containsExactlyInAnyOrder("leader", "follower", "follower");
            assertThat(group).extracting(Member::commit).containsOnly(group.getFirst().commit());
            assertThat(group).extracting(Member::applied).containsOnly(group.getFirst().commit());
            assertThat(run.out()).contains("\"lagEntries\":0");
        });
        CliRun table = cli("admin", "masters");
        assertThat(table.out()).contains("leader: 127.0.0.1:", "ADDRESS", "follower", " ms ago");

        Member follower = members(cli("admin", "masters", "--json")).stream().filter(m -> m.role().equals("follower"))
                .findFirst().orElseThrow();
        CliRun transfer = cli("admin", "transfer-leader", "--to", follower.address());
        assertThat(transfer.exitCode()).as(transfer.err()).isZero();
        assertThat(transfer.out()).startsWith(follower.address() + " is the leader now (term ");
        assertThat(members(cli("admin", "masters", "--json"))).filteredOn(m -> m.role().equals("leader"))
                .extracting(Member::address).containsExactly(follower.address());

        Path local = Files.write(dir.resolve("local"), new byte[100_000]);
        CliRun put = cli("fs", "put", local.toString(), "/f");
        assertThat(put.exitCode()).as(put.err()).isZero();
        List<String> serverIds = chunkServers.stream().map(ChunkServer::serverId).toList();
        await().atMost(AWAIT).untilAsserted(() -> assertThat(cli("admin", "fileinfo", "/f").out())
                .contains(serverIds.get(0) + " 127.0.0.1:", serverIds.get(1) + " 127.0.0.1:")
                .doesNotContain("(invalid)"));

        // The chunk servers stop for good, then the leader: what the next leader knows, it knew before.
        chunkServers.forEach(ChunkServer::close);
        MasterServer leader = masters.stream().filter(MasterServer::isLeader).findFirst().orElseThrow();
        leader.close();
        await().atMost(AWAIT).until(() -> cli("admin", "masters").exitCode() == 0);
        CliRun after = cli("admin", "masters", "--json");
        assertThat(members(after)).extracting(Member::role).containsExactlyInAnyOrder("leader", "follower");
        assertThat(after.out()).contains("\"role\":\"unreachable\"");
        CliRun fileInfo = cli("admin", "fileinfo", "/f");
        assertThat(fileInfo.exitCode()).as(fileInfo.err()).isZero();
        assertThat(fileInfo.out()).contains(serverIds.get(0) + " 127.0.0.1:", serverIds.get(1) + " 127.0.0.1:")
                .doesNotContain("(invalid)");
        assertThat(clusterFile.masters()).hasSize(3);
    }

    /** A base port whose three master blocks and chunk-server ports are free on loopback now. */
    private static PortPlan freePlan() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            PortPlan plan = new PortPlan(ThreadLocalRandom.current().nextInt(20_000, 50_000));
            if (plan.ports(3, 2).stream().allMatch(MasterGroupCommandsTest::isFree)) {
                return plan;
            }
        }
        throw new IOException("no free port plan found");
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
