package org.mooseng.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mooseng.master.TestMasters.ROOT;
import static org.mooseng.master.TestMasters.ROOT_INODE;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
import org.mooseng.proto.LockRequest;
import org.mooseng.proto.LockType;
import org.mooseng.proto.MasterClientServiceGrpc.MasterClientServiceBlockingStub;
import org.mooseng.proto.MetaOp;
import org.mooseng.proto.MutateRequest;
import org.mooseng.proto.OpenFileRequest;
import org.mooseng.proto.OpenSessionRequest;
import org.mooseng.proto.SessionInfo;
import org.mooseng.proto.UnlinkOp;

/** Three masters on 127.0.0.1-3: sessions and open files are replicated, locks are not. */
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
    void sessionsAndUnlinkedOpenFilesSurviveLeaderLossWhileLocksAreDropped() throws Exception {
        long raftPort = FreePorts.pick();
        long clientPort = FreePorts.pick();
        String peers = String.join(",", HOSTS.stream().map(h -> h + ":" + raftPort).toList());
        for (int i = 0; i < HOSTS.size(); i++) {
            var config = TestMasters.config(dir.resolve("m" + i)).with(MasterConfig.LISTEN_HOST, HOSTS.get(i))
                    .with(MasterConfig.RAFT_PORT, raftPort).with(MasterConfig.CLIENT_PORT, clientPort)
                    .with(MasterConfig.MASTER_PEERS, peers).with(MasterConfig.SESSION_LEASE_MS, 20_000L);
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
        assertThat(client.setLock(lock(a, f, LockType.LOCK_EXCLUSIVE)).getStatus()).isZero();
        assertThat(client.setLock(lock(b, f, LockType.LOCK_EXCLUSIVE)).getStatus()).isEqualTo(Status.EAGAIN.code());

        first.close();
        List<MasterServer> survivors = masters.stream().filter(m -> m != first).toList();
        MasterClientServiceBlockingStub next = clientOf(awaitLeader(survivors));

        assertThat(next.listSessions(ListSessionsRequest.getDefaultInstance()).getSessionsList())
                .extracting(SessionInfo::getSessionId).containsExactly(a, b);
        var kept = next.getAttr(GetAttrRequest.newBuilder().setInode(f).build());
        assertThat(kept.getStatus()).isZero();
        assertThat(kept.getAttr().getNlink()).isZero();
        // The new leader never saw a's lock: locks are leader soft state and must be taken again.
        assertThat(next.setLock(lock(b, f, LockType.LOCK_EXCLUSIVE)).getStatus()).isZero();
    }

    private MasterServer awaitLeader(List<MasterServer> among) {
        await().atMost(ELECTION).until(() -> leader(among).isPresent());
        MasterServer leader = leader(among).orElseThrow();
        MasterClientServiceBlockingStub client = clientOf(leader);
        await().atMost(ELECTION).until(() ->
                client.getAttr(GetAttrRequest.newBuilder().setInode(ROOT_INODE).build()).getStatus() == 0);
        return leader;
    }

    private static Optional<MasterServer> leader(List<MasterServer> among) {
        List<MasterServer> leaders = among.stream().filter(MasterServer::isLeader).toList();
        return leaders.size() == 1 ? Optional.of(leaders.get(0)) : Optional.empty();
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
