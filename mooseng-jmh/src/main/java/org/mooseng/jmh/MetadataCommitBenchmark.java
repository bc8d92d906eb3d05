package org.mooseng.jmh;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.mooseng.master.raft.RaftNode;
import org.mooseng.master.raft.RaftSettings;
import org.mooseng.meta.MetaStore;
import org.mooseng.proto.MetaOp;
import org.mooseng.proto.MetaResult;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The durable commit of a metadata op: a master that is a Raft group of one ({@link RaftNode}
 * over SOFAJRaft, its Raft port on 127.0.0.1) with its namespace store ({@link MetaStore}).
 * A call proposes the create of a new file and waits until it is applied: serialised, appended
 * to the Raft log and fsynced, committed, applied to the store, answered. That is what every
 * client mutation waits for on the master, less the gRPC hop and the followers' round trip.
 *
 * <p>Latency as sampled ({@code Mode.SampleTime}: percentiles), with one proposer and with
 * eight at once. With eight, concurrent proposals share log appends and fsyncs (group
 * commit): their latency should grow far less than eightfold, so that throughput (threads /
 * mean latency) is well above one proposer's. A regression at one proposer means more
 * hand-offs or fsyncs per commit (or a slower disk: {@code -p dir=} names it); one that shows
 * only with eight means proposals batch less.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {JvmFlags.HEAP, JvmFlags.GC}, jvmArgsAppend = {JvmFlags.NATIVE_ACCESS, JvmFlags.UNSAFE,
        JvmFlags.OPEN_LANG, JvmFlags.OPEN_NIO, JvmFlags.OPEN_NIO_CHANNELS, JvmFlags.OPEN_UTIL,
        JvmFlags.NETTY_REFLECTION, JvmFlags.SOFA_LOGGING})
@State(Scope.Benchmark)
public class MetadataCommitBenchmark {
    /** The master's defaults (RAFT_ELECTION_TIMEOUT_MS, SNAPSHOT_INTERVAL_S): no snapshot during a run. */
    private static final int ELECTION_TIMEOUT_MS = 500;
    private static final int SNAPSHOT_INTERVAL_S = 3600;
    private static final Duration LEADER_WAIT = Duration.ofSeconds(30);
    private static final Duration COMMIT_WAIT = Duration.ofSeconds(30);

    private static final RaftNode.LeadershipListener QUIET = new RaftNode.LeadershipListener() {
        @Override
        public void onLeaderReady(long term) {
        }

        @Override
        public void onLeaderLost() {
        }
    };

    /** Directory under which the Raft log and the store are made (a path, or java.io.tmpdir). */
    @Param(WorkDirectory.TMPDIR)
    public String dir;

    Path work;
    MetaStore store;
    RaftNode raft;
    private final AtomicLong created = new AtomicLong();

    @Setup(Level.Trial)
    public void startMaster() throws Exception {
        work = WorkDirectory.create(dir, "mooseng-jmh-raft-");
        store = MetaStore.open(work.resolve("meta"), 1_000_000);
        String self = "127.0.0.1:" + freePort();
        raft = RaftNode.start(new RaftSettings(self, "127.0.0.1", List.of(self), work.resolve("raft"),
                ELECTION_TIMEOUT_MS, SNAPSHOT_INTERVAL_S, 0), store, QUIET);
        long deadline = System.nanoTime() + LEADER_WAIT.toNanos();
        while (!raft.isLeader()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("master raft " + self + ": not leader after " + LEADER_WAIT);
            }
            Thread.sleep(10);
        }
        commit(Ops.format("jmh"));
    }

    @TearDown(Level.Trial)
    public void stopMaster() throws IOException {
        if (raft != null) {
            raft.close();
        }
        if (store != null) {
            store.close();
        }
        WorkDirectory.delete(work);
    }

    @Benchmark
    @Threads(1)
    public MetaResult createOneProposer() throws Exception {
        return commitCreate();
    }

    @Benchmark
    @Threads(8)
    public MetaResult createEightProposers() throws Exception {
        return commitCreate();
    }

    MetaResult commitCreate() throws InterruptedException, ExecutionException, TimeoutException {
        return commit(Ops.createFile(Ops.ROOT_INODE, "file-" + created.incrementAndGet()));
    }

    private MetaResult commit(MetaOp op) throws InterruptedException, ExecutionException, TimeoutException {
        return Ops.accepted(op, raft.propose(op).get(COMMIT_WAIT.toMillis(), TimeUnit.MILLISECONDS));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        }
    }
}
