package org.mooseng.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.client.ChunkServerStatus;
import org.mooseng.client.DirectoryEntry;
import org.mooseng.client.FileStat;
import org.mooseng.client.FileType;
import org.mooseng.client.MoosengClient;
import org.mooseng.client.MoosengFile;
import org.mooseng.client.OpenFlag;

/**
 * Two of three masters killed with -9 (the leader and a follower): a mutation sent meanwhile
 * is not acknowledged and the survivor does not lead, for several election timeouts; once one
 * killed master is back (only that one), the pending mutation completes, once.
 */
class MajorityLossIT {
    private static final int MASTERS = 3;
    private static final int CHUNK_SERVERS = 3;
    /** The shortest wait without a majority, whatever the election timeout. */
    private static final Duration MIN_QUIET = Duration.ofSeconds(5);
    private static final int MIN_POLLS_WITHOUT_MAJORITY = 3;
    /**
     * How long the pending mutation's client keeps resending it: the wait without a majority
     * plus a master's restart and an election on a loaded machine, beyond the default 30 s.
     */
    private static final Duration PENDING_FAILOVER_TIMEOUT = Duration.ofSeconds(80);

    @TempDir
    Path dir;

    private final long startNanos = System.nanoTime();

    @Test
    void noMutationIsAcknowledgedWhileTwoOfThreeMastersAreDownAndThePendingOneAppliesOnceAMajorityIsBack()
            throws Exception {
        try (LocalClusterProcesses cluster = new LocalClusterProcesses(dir, MASTERS, CHUNK_SERVERS)) {
            MasterGroupProcesses group = new MasterGroupProcesses(cluster, dir, MASTERS);
            Launcher.Result up = cluster.up("--masters", String.valueOf(MASTERS), "--no-mount");
            assertThat(up.exitCode()).as(up.toString()).isZero();
            List<MasterGroupProcesses.Member> steady = group.awaitSteady(MASTERS);
            MasterGroupProcesses.Member leader = MasterGroupProcesses.leaderOf(steady);
            List<Integer> followers = steady.stream().filter(m -> !m.isLeader())
                    .map(MasterGroupProcesses.Member::master).toList();
            int killedFollower = followers.get(0);
            int survivor = followers.get(1);
            Duration quiet = max(MIN_QUIET, Duration.ofMillis(3 * group.electionTimeoutMs()));
            step("group up, master-" + leader.master() + " leads in term " + leader.term());

            byte[] before = new byte[100_000];
            new Random(7).nextBytes(before);
            try (MoosengClient client = MoosengClient.connect(group.clientOptions()
                    .failoverTimeoutMs(PENDING_FAILOVER_TIMEOUT.toMillis()).build())) {
                try (MoosengFile file = client.create("/before.bin", 0644, true)) {
                    file.write(0, ByteBuffer.wrap(before));
                }

                List<MasterGroupProcesses.Killed> killed = group.kill9(List.of(leader.master(), killedFollower));
                long killedNanos = System.nanoTime();
                step("master-" + leader.master() + " and master-" + killedFollower + " killed");
                FutureTask<FileStat> pending = new FutureTask<>(() -> client.mkdir("/during", 0755));
                Thread.ofPlatform().name("pending-mkdir").daemon(true).start(pending);

                // Without a majority: the mkdir stays unanswered and the survivor never leads.
                int polls = 0;
                while (polls < MIN_POLLS_WITHOUT_MAJORITY || System.nanoTime() - killedNanos < quiet.toNanos()) {
                    MasterGroupProcesses.Survey survey = group.survey();
                    assertThat(survey.members()).as(survey.run().toString()).singleElement().satisfies(m -> {
                        assertThat(m.master()).isEqualTo(survivor);
                        assertThat(m.role()).isIn("follower", "candidate");
                    });
                    assertThat(survey.run().out()).contains("\"leader\":null");
                    assertThat(pending.isDone()).as("mkdir answered without a majority").isFalse();
                    polls++;
                }

                assertThat(pending.isDone()).as("mkdir answered without a majority").isFalse();
                step(polls + " surveys: master-" + survivor + " alone does not lead, mkdir pending");
                MasterGroupProcesses.Killed restarted = killed.get(1);
                group.restart(restarted);
                FileStat during = pending.get(PENDING_FAILOVER_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                assertThat(during.type()).isEqualTo(FileType.DIRECTORY);
                step("master-" + restarted.master() + " restarted, mkdir acknowledged");
                assertThat(group.isRunning(killed.get(0).master())).as("only one killed master was restarted")
                        .isFalse();

                MasterGroupProcesses.Member next = MasterGroupProcesses.leaderOf(group.awaitSteady(MASTERS - 1));
                assertThat(next.master()).isIn(survivor, restarted.master());
                assertThat(next.term()).isGreaterThan(leader.term());

                List<DirectoryEntry> root = client.list("/");
                assertThat(root).extracting(DirectoryEntry::name).containsExactlyInAnyOrder("before.bin", "during");
                assertThat(client.stat("/during").inode()).isEqualTo(during.inode());
                step("master-" + next.master() + " leads in term " + next.term() + ", namespace checked");
            }
            // At once, with a client of default settings: a restarted leader that has not heard from
            // every chunk server yet answers NOT_READY, which the client waits out, never EIO.
            try (MoosengClient fresh = MoosengClient.connect(group.clientOptions().build())) {
                assertThat(read(fresh, "/before.bin")).isEqualTo(before);
                byte[] after = new byte[100_000];
                new Random(8).nextBytes(after);
                try (MoosengFile file = fresh.create("/after.bin", 0644, true)) {
                    file.write(0, ByteBuffer.wrap(after));
                    file.fsync();
                }
                assertThat(read(fresh, "/after.bin")).isEqualTo(after);
                step("data read and written right after the majority came back");
                // Every chunk server reaches the restarted masters within its retry back-off.
                await().atMost(Duration.ofSeconds(15)).until(() -> fresh.chunkServers().stream()
                        .filter(ChunkServerStatus::alive).count() == CHUNK_SERVERS);
                step("every chunk server registered with the leader");
            }
        }
    }

    private void step(String done) {
        System.out.printf("%6.1f s  %s%n", (System.nanoTime() - startNanos) / 1e9, done);
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static byte[] read(MoosengClient client, String path) throws Exception {
        ByteBuffer buffer = ByteBuffer.allocate(Math.toIntExact(client.stat(path).sizeBytes()));
        try (MoosengFile file = client.open(path, OpenFlag.READ)) {
            while (buffer.hasRemaining()) {
                if (file.read(buffer.position(), buffer) < 0) {
                    break;
                }
            }
        }
        return Arrays.copyOf(buffer.array(), buffer.position());
    }
}
