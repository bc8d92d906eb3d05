package org.mooseng.master.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.common.Status;
import org.mooseng.master.FreePorts;
import org.mooseng.proto.MetaResult;
import org.slf4j.LoggerFactory;

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

    /** A member whose disk reports {@code freeBytes} usable, against a reserve of {@link #RESERVE}. */
    private RaftNode start(String self, List<String> members, Path raftDir, FakeStateMachine sm, AtomicLong freeBytes)
            throws Exception {
        RaftNode node = RaftNode.start(new RaftSettings(self, "127.0.0.1", members, raftDir, 300, 3600, 0, RESERVE),
                sm, QUIET, path -> freeBytes.get());
        nodes.add(node);
        return node;
    }

    private static final long RESERVE = 64L << 20;

    private static List<String> threeMembers() {
        return List.of("127.0.0.1:" + FreePorts.pick(), "127.0.0.1:" + FreePorts.pick(),
                "127.0.0.1:" + FreePorts.pick());
    }

    private RaftNode awaitOneLeader(List<RaftNode> among) {
        await().atMost(ELECTION).until(() -> among.stream().filter(RaftNode::isLeader).count() == 1);
        return among.stream().filter(RaftNode::isLeader).findFirst().orElseThrow();
    }

    private static ListAppender<ILoggingEvent> capture(Class<?> source) {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        Logger logger = (Logger) LoggerFactory.getLogger(source);
        logger.setLevel(Level.INFO);
        logger.addAppender(appender);
        return appender;
    }

    private static void release(Class<?> source, ListAppender<ILoggingEvent> appender) {
        Logger logger = (Logger) LoggerFactory.getLogger(source);
        logger.detachAppender(appender);
        logger.setLevel(null);
    }

    private static List<String> messages(ListAppender<ILoggingEvent> appender, Level level, String containing) {
        synchronized (appender.list) {
            return appender.list.stream().filter(e -> e.getLevel() == level)
                    .map(ILoggingEvent::getFormattedMessage).filter(m -> m.contains(containing)).toList();
        }
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
    void aFailingApplyAnswersNotLeaderStopsTheMemberAndCloseStillReturns() throws Exception {
        String self = "127.0.0.1:" + FreePorts.pick();
        FakeStateMachine sm = new FakeStateMachine();
        RaftNode node = start(self, List.of(self), dir.resolve("raft"), sm);
        await().atMost(ELECTION).until(node::isLeader);

        MetaResult failed = node.propose(FakeStateMachine.create(FakeStateMachine.POISON)).get(10, TimeUnit.SECONDS);
        // The entry is committed: whether it takes effect is unknown to this member, so the
        // caller is sent to retry (with its request id) rather than told it failed.
        assertThat(failed.getStatus()).isEqualTo(Status.NOT_LEADER.code());
        await().atMost(ELECTION).until(() -> !node.isLeader());
        assertThat(node.status().role()).isEqualTo(RaftStatus.Role.INACTIVE);
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
        long firstTerm = leader.status().term();
        assertThat(firstTerm).isPositive();
        await().atMost(ELECTION).until(() -> follower.status().term() == firstTerm);

        leader.close();
        await().atMost(ELECTION).until(() -> nodes.stream().filter(n -> n != leader).anyMatch(RaftNode::isLeader));
        RaftNode next = nodes.stream().filter(n -> n != leader && n.isLeader()).findFirst().orElseThrow();
        assertThat(next.status().term()).isGreaterThan(firstTerm);
        assertThat(machines.get(nodes.indexOf(next)).names()).containsExactly("committed");
        assertThat(next.propose(FakeStateMachine.create("later")).get(10, TimeUnit.SECONDS).getStatus()).isZero();
        assertThat(machines.get(nodes.indexOf(next)).names()).containsExactly("committed", "later");
    }

    @Test
    void aStoreThatCannotWriteOnTheLeaderAcknowledgesNothingAndTheOthersKeepTheEntry() throws Exception {
        List<String> members = threeMembers();
        List<FakeStateMachine> machines = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            machines.add(new FakeStateMachine());
            start(members.get(i), members, dir.resolve("raft" + i), machines.get(i));
        }
        RaftNode leader = awaitOneLeader(nodes);
        FakeStateMachine leaderMachine = machines.get(nodes.indexOf(leader));
        assertThat(leader.propose(FakeStateMachine.create("before")).get(10, TimeUnit.SECONDS).getStatus()).isZero();

        leaderMachine.failWrites = true;
        MetaResult unknown = leader.propose(FakeStateMachine.create("during")).get(10, TimeUnit.SECONDS);

        assertThat(unknown.getStatus()).as("not acknowledged by a member that could not apply it")
                .isEqualTo(Status.NOT_LEADER.code());
        await().atMost(ELECTION).until(() -> leader.status().role() == RaftStatus.Role.INACTIVE);
        List<RaftNode> others = nodes.stream().filter(n -> n != leader).toList();
        RaftNode next = awaitOneLeader(others);
        // Committed by the majority before the old leader failed to apply it: kept, applied once.
        FakeStateMachine nextMachine = machines.get(nodes.indexOf(next));
        assertThat(nextMachine.names()).containsExactly("before", "during");
        assertThat(leaderMachine.names()).containsExactly("before");
        assertThat(next.propose(FakeStateMachine.create("after")).get(10, TimeUnit.SECONDS).getStatus()).isZero();
    }

    @Test
    void aLeaderWhoseDiskFillsStepsDownAnotherLeadsAndAfterARestartItCatchesUp() throws Exception {
        List<String> members = threeMembers();
        List<FakeStateMachine> machines = new ArrayList<>();
        List<AtomicLong> free = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            machines.add(new FakeStateMachine());
            free.add(new AtomicLong(RESERVE * 4));
            start(members.get(i), members, dir.resolve("raft" + i), machines.get(i), free.get(i));
        }
        RaftNode full = awaitOneLeader(nodes);
        int fullIndex = nodes.indexOf(full);
        List<CompletableFuture<MetaResult>> acknowledged = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            acknowledged.add(full.propose(FakeStateMachine.create("before" + i)));
        }
        CompletableFuture.allOf(acknowledged.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

        ListAppender<ILoggingEvent> log = capture(RaftNode.class);
        try {
            free.get(fullIndex).set(RESERVE - 1);
            await().atMost(ELECTION).until(() -> full.status().role() == RaftStatus.Role.INACTIVE);
            assertThat(full.propose(FakeStateMachine.create("refused")).get(1, TimeUnit.SECONDS).getStatus())
                    .isEqualTo(Status.NOT_LEADER.code());
            List<String> errors = messages(log, Level.ERROR, members.get(fullIndex));
            assertThat(errors).hasSize(1);
            assertThat(errors.getFirst()).contains(dir.resolve("raft" + fullIndex).toString())
                    .contains("below the reserve of 64 MiB");
        } finally {
            release(RaftNode.class, log);
        }

        List<RaftNode> others = nodes.stream().filter(n -> n != full).toList();
        RaftNode next = awaitOneLeader(others);
        for (int i = 0; i < 20; i++) {
            assertThat(next.propose(FakeStateMachine.create("after" + i)).get(10, TimeUnit.SECONDS).getStatus())
                    .isZero();
        }
        FakeStateMachine leading = machines.get(nodes.indexOf(next));
        assertThat(leading.names()).hasSize(40).contains("before0", "before19", "after0", "after19");

        // Room again, and a restart: the member replays its own log and takes the rest from the leader.
        full.close();
        FakeStateMachine restartedMachine = new FakeStateMachine();
        RaftNode restarted = start(members.get(fullIndex), members, dir.resolve("raft" + fullIndex),
                restartedMachine, new AtomicLong(RESERVE * 4));
        await().atMost(ELECTION).until(() -> restarted.appliedIndex() == next.appliedIndex()
                && restarted.status().role() == RaftStatus.Role.FOLLOWER);
        assertThat(restartedMachine.names()).isEqualTo(leading.names());
    }
}
