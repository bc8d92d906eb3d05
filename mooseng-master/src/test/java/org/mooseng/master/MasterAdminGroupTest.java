package org.mooseng.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mooseng.master.TestMasters.ROOT;
import static org.mooseng.master.TestMasters.ROOT_INODE;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.common.Status;
import org.mooseng.common.config.Config;
import org.mooseng.proto.FileType;
import org.mooseng.proto.GetAttrRequest;
import org.mooseng.proto.MasterAdminServiceGrpc;
import org.mooseng.proto.MasterAdminServiceGrpc.MasterAdminServiceBlockingStub;
import org.mooseng.proto.MasterMember;
import org.mooseng.proto.MasterRole;
import org.mooseng.proto.MembershipRequest;
import org.mooseng.proto.RaftStatusReply;
import org.mooseng.proto.RaftStatusRequest;
import org.mooseng.proto.StatusReply;
import org.mooseng.proto.TransferLeaderRequest;

/**
 * The admin service on a group of three masters on 127.0.0.1-3 (same port numbers, as on three
 * machines): every member's Raft state, leadership transfer, and a fourth master (127.0.0.4)
 * joining and leaving the group while it serves.
 */
class MasterAdminGroupTest {
    private static final Duration ELECTION = Duration.ofSeconds(30);
    private static final List<String> HOSTS = List.of("127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4");

    @TempDir
    Path dir;
    private final List<MasterServer> masters = new ArrayList<>();
    private final List<ManagedChannel> channels = new ArrayList<>();
    private long raftPort;
    private long clientPort;

    @AfterEach
    void stop() {
        channels.forEach(TestMasters::shutdown);
        masters.forEach(MasterServer::close);
    }

    private Config config(int i) {
        return TestMasters.config(dir.resolve("m" + i))
                .with(MasterConfig.LISTEN_HOST, HOSTS.get(i))
                .with(MasterConfig.RAFT_PORT, raftPort)
                .with(MasterConfig.CLIENT_PORT, clientPort)
                .with(MasterConfig.MASTER_PEERS, String.join(",", HOSTS.subList(0, 3).stream()
                        .map(h -> h + ":" + raftPort).toList()));
    }

    private MasterAdminServiceBlockingStub admin(int i) {
        ManagedChannel channel = ManagedChannelBuilder.forAddress(HOSTS.get(i), (int) clientPort).usePlaintext()
                .build();
        channels.add(channel);
        return MasterAdminServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    private RaftStatusReply status(int i) {
        return admin(i).raftStatus(RaftStatusRequest.getDefaultInstance());
    }

    private int leaderIndex() {
        for (int i = 0; i < masters.size(); i++) {
            if (masters.get(i).isLeader()) {
                return i;
            }
        }
        return -1;
    }

    private String raft(int i) {
        return HOSTS.get(i) + ":" + raftPort;
    }

    private String client(int i) {
        return HOSTS.get(i) + ":" + clientPort;
    }

    @Test
    void statusTransferAndMembershipChangesOfARunningGroup() throws Exception {
        raftPort = FreePorts.pick();
        clientPort = FreePorts.pick();
        for (int i = 0; i < 3; i++) {
            MasterServer.format(config(i), "cluster-g");
            masters.add(MasterServer.start(config(i)));
        }
        await().atMost(ELECTION).until(() -> leaderIndex() >= 0 && TestMasters.client(channelTo(leaderIndex()))
                .getAttr(GetAttrRequest.newBuilder().setInode(ROOT_INODE).build()).getStatus() == 0);
        int leader = leaderIndex();
        assertThat(TestMasters.client(channelTo(leader)).mutate(TestMasters.create(ROOT_INODE, "before",
                FileType.DIRECTORY)).getStatus()).isZero();

        // Every member reports its role, the same term and, once caught up, the same commit index.
        await().atMost(ELECTION).untilAsserted(() -> {
            List<RaftStatusReply> all = List.of(status(0), status(1), status(2));
            assertThat(all).extracting(RaftStatusReply::getRole).containsExactlyInAnyOrder(MasterRole.LEADER,
                    MasterRole.FOLLOWER, MasterRole.FOLLOWER);
            assertThat(all).extracting(RaftStatusReply::getTerm).containsOnly(all.get(0).getTerm());
            assertThat(all).extracting(RaftStatusReply::getCommitIndex).containsOnly(all.get(0).getCommitIndex());
            assertThat(all).extracting(RaftStatusReply::getAppliedIndex).containsOnly(all.get(0).getCommitIndex());
        });
        RaftStatusReply leaderStatus = status(leader);
        assertThat(leaderStatus.getSelf()).isEqualTo(member(leader));
        assertThat(leaderStatus.getLeaderContactAgeMs()).isZero();
        assertThat(leaderStatus.getVotersList()).containsExactlyInAnyOrder(member(0), member(1), member(2));
        int follower = (leader + 1) % 3;
        RaftStatusReply followerStatus = status(follower);
        assertThat(followerStatus.getLeader()).isEqualTo(member(leader));
        assertThat(followerStatus.getLeaderContactAgeMs()).as("heartbeats arrive every election timeout / 10")
                .isBetween(0L, 3_000L);

        // A follower refuses group changes and names the leader.
        StatusReply refused = admin(follower).transferLeader(TransferLeaderRequest.newBuilder()
                .setRaftAddress(raft(follower)).build());
        assertThat(refused.getStatus()).isEqualTo(Status.NOT_LEADER.code());
        assertThat(refused.getMessage()).isEqualTo(client(leader));

        StatusReply transferred = admin(leader).transferLeader(TransferLeaderRequest.newBuilder()
                .setRaftAddress(raft(follower)).build());
        assertThat(transferred.getStatus()).as(transferred.getMessage()).isZero();
        await().atMost(ELECTION).until(() -> status(follower).getRole() == MasterRole.LEADER);
        assertThat(status(follower).getTerm()).isGreaterThan(leaderStatus.getTerm());

        // A fourth master joins: it waits outside the group, is added, and catches up.
        Config joining = config(3).with(MasterConfig.MASTER_JOIN, true);
        MasterServer.format(joining, "cluster-g");
        masters.add(MasterServer.start(joining));
        assertThat(status(3).getRole()).isEqualTo(MasterRole.NON_MEMBER);
        StatusReply added = admin(follower).addMaster(MembershipRequest.newBuilder().setRaftAddress(raft(3)).build());
        assertThat(added.getStatus()).as(added.getMessage()).isZero();
        await().atMost(ELECTION).until(() -> status(3).getRole() == MasterRole.FOLLOWER);
        assertThat(status(follower).getVotersList()).hasSize(4).contains(member(3));
        await().atMost(ELECTION).until(() -> masters.get(3).namespace().lookup(ROOT, ROOT_INODE, "before")
                .getStatus() == 0);

        StatusReply removed = admin(follower).removeMaster(MembershipRequest.newBuilder().setRaftAddress(raft(3))
                .build());
        assertThat(removed.getStatus()).as(removed.getMessage()).isZero();
        assertThat(status(follower).getVotersList()).containsExactlyInAnyOrder(member(0), member(1), member(2));
        assertThat(TestMasters.client(channelTo(follower)).mutate(TestMasters.create(ROOT_INODE, "after",
                FileType.DIRECTORY)).getStatus()).as("the group serves on").isZero();

        StatusReply malformed = admin(follower).addMaster(MembershipRequest.newBuilder().setRaftAddress("nohost")
                .build());
        assertThat(malformed.getStatus()).isEqualTo(Status.EINVAL.code());
    }

    private ManagedChannel channelTo(int i) {
        ManagedChannel channel = ManagedChannelBuilder.forAddress(HOSTS.get(i), (int) clientPort).usePlaintext()
                .build();
        channels.add(channel);
        return channel;
    }

    private MasterMember member(int i) {
        return MasterMember.newBuilder().setRaftAddress(raft(i)).setClientAddress(client(i)).build();
    }
}
