package org.mooseng.master.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.common.Status;
import org.mooseng.master.FreePorts;
import org.mooseng.proto.MetaResult;

class RaftNodeTest {
    private static final Duration ELECTION = Duration.ofSeconds(20);
    private final List<RaftNode> nodes = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void stopAll() {
        nodes.forEach(RaftNode::close);
    }

    private static final RaftNode.LeadershipListener QUIET = new RaftNode.LeadershipListener() {
        @Override
        public void onLeaderReady(long term) {
        }

        @Override
        public void onLeaderLost() {
        }
    };

    private RaftNode start(String self, List<String> members, Path raftDir, FakeStateMachine sm) throws Exception {
        RaftNode node = RaftNode.start(new RaftSettings(self, "127.0.0.1", members, raftDir, 300, 3600, 0), sm, QUIET);
        nodes.add(node);
        return node;
    }

    @Test
    void concurrentProposalsAreAppliedInLogOrderAndSurviveRestartWithoutSnapshot() throws Exception {
        String self = "127.0.0.1:" + FreePorts.pick();
        FakeStateMachine sm = new FakeStateMachine();
        RaftNode node = start(self, List.of(self), dir.resolve("raft"), sm);
        await().atMost(ELECTION).until(node::isLeader);

        List<CompletableFuture<MetaResult>> futures = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            futures.add(node.propose(FakeStateMachine.create("f" + i)));
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        assertThat(futures).allSatisfy(f -> assertThat(f.join().getMessage()).startsWith("applied "));
        assertThat(sm.names()).hasSize(200).contains("f0", "f199");
        node.close();

        FakeStateMachine fresh = new FakeStateMachine();
        RaftNode restarted = start(self, List.of(self), dir.resolve("raft"), fresh);
        await().atMost(ELECTION).until(restarted::isLeader);
        assertThat(fresh.names()).isEqualTo(sm.names());
        assertThat(fresh.restores).isZero();
    }

    @Test
    void restartAfterSnapshotRestoresTheCheckpointAndReplaysTheRest() throws Exception {
        String self = "127.0.0.1:" + FreePorts.pick();
        FakeStateMachine sm = new FakeStateMachine();
        RaftNode node = start(self, List.of(self), dir.resolve("raft"), sm);
        await().atMost(ELECTION).until(node::isLeader);
        node.propose(FakeStateMachine.create("before")).get(10, TimeUnit.SECONDS);
        node.snapshot().get(10, TimeUnit.SECONDS);
        node.propose(FakeStateMachine.create("after")).get(10, TimeUnit.SECONDS);
        node.close();

        FakeStateMachine fresh = new FakeStateMachine();
        RaftNode restarted = start(self, List.of(self), dir.resolve("raft"), fresh);
        await().atMost(ELECTION).until(restarted::isLeader);
        assertThat(fresh.restores).isEqualTo(1);
        assertThat(fresh.names()).containsExactly("before", "after");
    }

    @Test
    void aFailingApplyAnswersEioStopsTheMemberAndCloseStillReturns() throws Exception {
        String self = "127.0.0.1:" + FreePorts.pick();
        FakeStateMachine sm = new FakeStateMachine();
        RaftNode node = start(self, List.of(self), dir.resolve("raft"), sm);
        await().atMost(ELECTION).until(node::isLeader);

        MetaResult failed = node.propose(FakeStateMachine.create(FakeStateMachine.POISON)).get(10, TimeUnit.SECONDS);
        assertThat(failed.getStatus()).isEqualTo(Status.EIO.code());
        assertThat(failed.getMessage()).startsWith("log index ");
        await().atMost(ELECTION).until(() -> !node.isLeader());
        assertThat(node.propose(FakeStateMachine.create("after")).get(1, TimeUnit.SECONDS).getStatus())
                .isEqualTo(Status.NOT_LEADER.code());
        long started = System.nanoTime();
        node.close();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
        assertThat(sm.names()).isEmpty();
    }

    @Test
    void followerRefusesAndNewLeaderKeepsCommittedEntriesAfterLeaderStops() throws Exception {
        List<String> members = List.of("127.0.0.1:" + FreePorts.pick(), "127.0.0.1:" + FreePorts.pick(),
                "127.0.0.1:" + FreePorts.pick());
        List<FakeStateMachine> machines = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            FakeStateMachine sm = new FakeStateMachine();
            machines.add(sm);
            start(members.get(i), members, dir.resolve("raft" + i), sm);
        }
        await().atMost(ELECTION).until(() -> nodes.stream().filter(RaftNode::isLeader).count() == 1);
        RaftNode leader = nodes.stream().filter(RaftNode::isLeader).findFirst().orElseThrow();
        RaftNode follower = nodes.stream().filter(n -> !n.isLeader()).findFirst().orElseThrow();

        assertThat(leader.propose(FakeStateMachine.create("committed")).get(10, TimeUnit.SECONDS).getStatus())
                .isZero();
        assertThat(follower.propose(FakeStateMachine.create("refused")).get(1, TimeUnit.SECONDS).getStatus())
                .isEqualTo(Status.NOT_LEADER.code());
        assertThat(follower.leaderRaftAddress()).contains(members.get(nodes.indexOf(leader)));

        leader.close();
        await().atMost(ELECTION).until(() -> nodes.stream().filter(n -> n != leader).anyMatch(RaftNode::isLeader));
        RaftNode next = nodes.stream().filter(n -> n != leader && n.isLeader()).findFirst().orElseThrow();
        assertThat(machines.get(nodes.indexOf(next)).names()).containsExactly("committed");
        assertThat(next.propose(FakeStateMachine.create("later")).get(10, TimeUnit.SECONDS).getStatus()).isZero();
        assertThat(machines.get(nodes.indexOf(next)).names()).containsExactly("committed", "later");
    }
}
