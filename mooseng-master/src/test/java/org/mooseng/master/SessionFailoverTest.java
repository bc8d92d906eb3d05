package org.mooseng.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mooseng.master.TestMasters.ROOT;
import static org.mooseng.master.TestMasters.ROOT_INODE;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import io.grpc.ManagedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.common.Status;
import org.mooseng.proto.CreateOp;
import org.mooseng.proto.FileOpenOp;
import org.mooseng.proto.FileType;
import org.mooseng.proto.GetAttrRequest;
import org.mooseng.proto.ListSessionsRequest;
import org.mooseng.proto.LockReply;
import org.mooseng.proto.LockRequest;
import org.mooseng.proto.LockType;
import org.mooseng.proto.MasterClientServiceGrpc.MasterClientServiceBlockingStub;
import org.mooseng.proto.MetaOp;
import org.mooseng.proto.MutateRequest;
import org.mooseng.proto.OpenFileRequest;
import org.mooseng.proto.OpenSessionRequest;
import org.mooseng.proto.SessionInfo;
import org.mooseng.proto.SessionRequest;
import org.mooseng.proto.UnlinkOp;

/**
 * Three masters on 127.0.0.1-3: sessions and open files are replicated; locks are not, so the
 * new leader takes them back from their holders during its grace period.
 */
class SessionFailoverTest {
    private static final Duration ELECTION = Duration.ofSeconds(30);
    private static final List<String> HOSTS = List.of("127.0.0.1", "127.0.0.2", "127.0.0.3");

    @TempDir
    Path dir;
    private final List<MasterServer> masters = new ArrayList<>();
    private final List<ManagedChannel> channels = new ArrayList<>();

    @AfterEach
    void stop() {
        channels.forEach(TestMasters::shutdown);
        masters.forEach(MasterServer::close);
    }

    @Test
    void sessionsAndUnlinkedOpenFilesSurviveLeaderLossAndLocksAreReclaimedDuringTheGracePeriod() throws Exception {
        long raftPort = FreePorts.pick();
        long clientPort = FreePorts.pick();
        String peers = String.join(",", HOSTS.stream().map(h -> h + ":" + raftPort).toList());
        for (int i = 0; i < HOSTS.size(); i++) {
            var config = TestMasters.config(dir.resolve("m" + i)).with(MasterConfig.LISTEN_HOST, HOSTS.get(i))
                    .with(MasterConfig.RAFT_PORT, raftPort).with(MasterConfig.CLIENT_PORT, clientPort)
                    .with(MasterConfig.MASTER_PEERS, peers).with(MasterConfig.SESSION_LEASE_MS, 20_000L)
                    // Longer than the test: every lock request after the failover falls in the grace period.
                    .with(MasterConfig.LOCK_RECLAIM_GRACE_MS, 300_000L);
            MasterServer.format(config, "cluster-s");
            masters.add(MasterServer.start(config));
        }
        MasterServer first = awaitLeader(masters);
        MasterClientServiceBlockingStub client = clientOf(first);
        long a = client.openSession(OpenSessionRequest.newBuilder().setHost("a").build()).getSession().getSessionId();
        long b = client.openSession(OpenSessionRequest.newBuilder().setHost("b").build()).getSession().getSessionId();
        long f = client.mutate(MutateRequest.newBuilder().setOp(MetaOp.newBuilder().setCred(ROOT)
                .setCreate(CreateOp.newBuilder().setParent(ROOT_INODE).setName("f").setType(FileType.REGULAR)
                        .setMode(0644))).build()).getAttr().getInode();
        assertThat(client.openFile(OpenFileRequest.newBuilder().setCred(ROOT).setSessionId(a).setInode(f)
                .setFlags(FileOpenOp.Flag.OPEN_READ_VALUE).build()).getStatus()).isZero();
        assertThat(client.mutate(MutateRequest.newBuilder().setOp(MetaOp.newBuilder().setCred(ROOT)
                .setUnlink(UnlinkOp.newBuilder().setParent(ROOT_INODE).setName("f"))).build()).getStatus()).isZero();
        LockReply granted = client.setLock(lock(a, f, LockType.LOCK_EXCLUSIVE));
        assertThat(granted.getStatus()).isZero();
        assertThat(granted.getLeaderTerm()).isPositive();
        assertThat(client.setLock(lock(b, f, LockType.LOCK_EXCLUSIVE)).getStatus()).isEqualTo(Status.EAGAIN.code());

        first.close();
        List<MasterServer> survivors = masters.stream().filter(m -> m != first).toList();
        MasterClientServiceBlockingStub next = clientOf(awaitLeader(survivors));

        assertThat(next.listSessions(ListSessionsRequest.getDefaultInstance()).getSessionsList())
                .extracting(SessionInfo::getSessionId).containsExactly(a, b);
        var kept = next.getAttr(GetAttrRequest.newBuilder().setInode(f).build());
        assertThat(kept.getStatus()).isZero();
        assertThat(kept.getAttr().getNlink()).isZero();
        // The new leader never saw a's lock. Until a has had time to give it back, b may take
        // nothing; the renewal tells a that the leader changed.
        LockReply refused = next.setLock(lock(b, f, LockType.LOCK_EXCLUSIVE));
        assertThat(refused.getStatus()).isEqualTo(Status.EAGAIN.code());
        assertThat(refused.getMessage()).contains("grace period");
        long term = next.renewSession(SessionRequest.newBuilder().setSessionId(a).build()).getLeaderTerm();
        assertThat(term).isGreaterThan(granted.getLeaderTerm());
        LockReply reclaimed = next.setLock(lock(a, f, LockType.LOCK_EXCLUSIVE).toBuilder().setReclaim(true).build());
        assertThat(reclaimed.getStatus()).isZero();
        assertThat(reclaimed.getLeaderTerm()).isEqualTo(term);
        // b claiming to have held a conflicting lock is refused; so is a session that no longer exists.
        assertThat(next.setLock(lock(b, f, LockType.LOCK_SHARED).toBuilder().setReclaim(true).build()).getStatus())
                .isEqualTo(Status.EAGAIN.code());
        assertThat(next.flock(lock(a + b + 1, f, LockType.LOCK_SHARED).toBuilder().setReclaim(true).build())
                .getStatus()).isEqualTo(Status.ESTALE.code());
        assertThat(next.getLock(lock(b, f, LockType.LOCK_SHARED)).getSessionId()).isEqualTo(a);
        // Unlocks apply during the grace period; then b's reclaim no longer conflicts.
        assertThat(next.setLock(lock(a, f, LockType.LOCK_UNLOCK)).getStatus()).isZero();
        assertThat(next.setLock(lock(b, f, LockType.LOCK_SHARED).toBuilder().setReclaim(true).build()).getStatus())
                .isZero();
    }

    private MasterServer awaitLeader(List<MasterServer> among) {
        return TestMasters.awaitAnsweringLeader(among, this::clientOf, ELECTION);
    }

    private MasterClientServiceBlockingStub clientOf(MasterServer master) {
        ManagedChannel channel = io.grpc.ManagedChannelBuilder
                .forAddress(HOSTS.get(masters.indexOf(master)), master.clientPort()).usePlaintext().build();
        channels.add(channel);
        return TestMasters.client(channel);
    }

    private static LockRequest lock(long session, long inode, LockType type) {
        return LockRequest.newBuilder().setSessionId(session).setInode(inode).setLockOwner(1).setType(type).build();
    }
}
