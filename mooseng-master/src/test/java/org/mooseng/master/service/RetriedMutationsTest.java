package org.mooseng.master.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mooseng.master.TestMasters.ROOT;
import static org.mooseng.master.TestMasters.ROOT_INODE;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.common.Status;
import org.mooseng.common.config.Config;
import org.mooseng.master.FreePorts;
import org.mooseng.master.MasterConfig;
import org.mooseng.master.MasterServer;
import org.mooseng.master.TestMasters;
import org.mooseng.proto.AttrReply;
import org.mooseng.proto.CreateOp;
import org.mooseng.proto.FileType;
import org.mooseng.proto.LookupRequest;
import org.mooseng.proto.MasterClientServiceGrpc.MasterClientServiceBlockingStub;
import org.mooseng.proto.MetaOp;
import org.mooseng.proto.MetaResult;
import org.mooseng.proto.MutateRequest;
import org.mooseng.proto.ReadDirRequest;
import org.mooseng.proto.RenameOp;
import org.mooseng.proto.SetAttrOp;
import org.mooseng.proto.SetAttrReply;
import org.mooseng.proto.SetAttrRequest;
import org.mooseng.proto.UnlinkOp;

/**
 * Three masters in one JVM (127.0.0.1-3, same ports). A client whose reply was lost sends the
 * same request again, to the same leader or, after the leader died, to the next one: the
 * change happens once and the retry is answered with the first result.
 */
class RetriedMutationsTest {
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
    void aCreateSentTwiceToTheLeaderAndOnceMoreToTheNextLeaderCreatesOneFile() throws Exception {
        startGroup();
        MasterServer first = awaitLeader(masters);
        MasterClientServiceBlockingStub client = clientOf(first);

        MutateRequest create = withId(MutateRequest.newBuilder().setOp(MetaOp.newBuilder().setCred(ROOT)
                .setCreate(CreateOp.newBuilder().setParent(ROOT_INODE).setName("once").setType(FileType.REGULAR)
                        .setMode(0644).setExclusive(true))).build(), "create-once");
        MetaResult created = client.mutate(create);
        assertThat(created.getStatus()).isZero();
        MetaResult resent = client.mutate(create);
        assertThat(resent).isEqualTo(created);

        // The leader dies after the commit; the client never saw a reply and asks the next leader.
        first.close();
        List<MasterServer> survivors = masters.stream().filter(m -> m != first).toList();
        MasterClientServiceBlockingStub next = clientOf(awaitLeader(survivors));
        MetaResult afterFailover = next.mutate(create);
        assertThat(afterFailover.getStatus()).as(afterFailover.getMessage()).isZero();
        assertThat(afterFailover.getAttr().getInode()).isEqualTo(created.getAttr().getInode());
        assertThat(names(next)).containsExactly("once");
        // The same op under a new id is a new op: an exclusive create of an existing name.
        assertThat(next.mutate(withId(create, "another")).getStatus()).isEqualTo(Status.EEXIST.code());
    }

    @Test
    void renameUnlinkAndChmodRetriedAtTheNextLeaderAreNotAppliedTwice() throws Exception {
        startGroup();
        MasterServer first = awaitLeader(masters);
        MasterClientServiceBlockingStub client = clientOf(first);
        long moved = ok(client.mutate(TestMasters.create(ROOT_INODE, "a", FileType.REGULAR))).getAttr().getInode();
        ok(client.mutate(TestMasters.create(ROOT_INODE, "doomed", FileType.REGULAR)));

        MutateRequest rename = withId(MutateRequest.newBuilder().setOp(MetaOp.newBuilder().setCred(ROOT)
                .setRename(RenameOp.newBuilder().setParent(ROOT_INODE).setName("a").setNewParent(ROOT_INODE)
                        .setNewName("b"))).build(), "rename-a-b");
        MutateRequest unlink = withId(MutateRequest.newBuilder().setOp(MetaOp.newBuilder().setCred(ROOT)
                .setUnlink(UnlinkOp.newBuilder().setParent(ROOT_INODE).setName("doomed"))).build(), "unlink-doomed");
        SetAttrRequest chmod = SetAttrRequest.newBuilder().setCred(ROOT).setRequestId(id("chmod-b"))
                .setOp(SetAttrOp.newBuilder().setInode(moved).setMode(0600).setValid(SetAttrOp.Field.SET_MODE_VALUE))
                .build();
        MetaResult renamed = ok(client.mutate(rename));
        MetaResult unlinked = ok(client.mutate(unlink));
        SetAttrReply changed = client.setAttr(chmod);
        assertThat(changed.getStatus()).isZero();
        // Others reuse the freed names and change the mode again before the retries arrive.
        long newcomerA = ok(client.mutate(TestMasters.create(ROOT_INODE, "a", FileType.REGULAR))).getAttr().getInode();
        long newcomerDoomed = ok(client.mutate(TestMasters.create(ROOT_INODE, "doomed", FileType.REGULAR)))
                .getAttr().getInode();
        assertThat(client.setAttr(chmod.toBuilder().setRequestId(id("chmod-again"))
                .setOp(chmod.getOp().toBuilder().setMode(0640)).build()).getStatus()).isZero();

        first.close();
        List<MasterServer> survivors = masters.stream().filter(m -> m != first).toList();
        MasterClientServiceBlockingStub next = clientOf(awaitLeader(survivors));
        assertThat(next.mutate(rename)).isEqualTo(renamed);
        assertThat(next.mutate(unlink)).isEqualTo(unlinked);
        SetAttrReply retriedChmod = next.setAttr(chmod);
        assertThat(retriedChmod.getStatus()).isZero();
        assertThat(retriedChmod.getAttr()).isEqualTo(changed.getAttr());

        assertThat(lookup(next, "a").getAttr().getInode()).isEqualTo(newcomerA);
        assertThat(lookup(next, "b").getAttr().getInode()).isEqualTo(moved);
        assertThat(lookup(next, "doomed").getAttr().getInode()).isEqualTo(newcomerDoomed);
        assertThat(lookup(next, "b").getAttr().getMode()).isEqualTo(0640);
    }

    // ------------------------------------------------------------------ helpers

    private void startGroup() throws Exception {
        long raftPort = FreePorts.pick();
        long clientPort = FreePorts.pick();
        String peers = String.join(",", HOSTS.stream().map(h -> h + ":" + raftPort).toList());
        for (int i = 0; i < HOSTS.size(); i++) {
            Config config = TestMasters.config(dir.resolve("m" + i))
                    .with(MasterConfig.LISTEN_HOST, HOSTS.get(i))
                    .with(MasterConfig.RAFT_PORT, raftPort)
                    .with(MasterConfig.CLIENT_PORT, clientPort)
                    .with(MasterConfig.MASTER_PEERS, peers);
            MasterServer.format(config, "cluster-retry");
            masters.add(MasterServer.start(config));
        }
    }

    /** The one leader among {@code among}, once it answers reads (its namespace is formatted). */
    private MasterServer awaitLeader(List<MasterServer> among) {
        return TestMasters.awaitAnsweringLeader(among, this::clientOf, ELECTION);
    }

    private MasterClientServiceBlockingStub clientOf(MasterServer master) {
        ManagedChannel channel = ManagedChannelBuilder.forAddress(HOSTS.get(masters.indexOf(master)),
                master.clientPort()).usePlaintext().build();
        channels.add(channel);
        return TestMasters.client(channel);
    }

    private static ByteString id(String name) {
        return ByteString.copyFrom(name, StandardCharsets.UTF_8);
    }

    private static MutateRequest withId(MutateRequest request, String name) {
        return request.toBuilder().setOp(request.getOp().toBuilder().setRequestId(id(name))).build();
    }

    private static MetaResult ok(MetaResult result) {
        assertThat(result.getStatus()).as(result.getMessage()).isZero();
        return result;
    }

    private static AttrReply lookup(MasterClientServiceBlockingStub client, String name) {
        AttrReply reply = client.lookup(LookupRequest.newBuilder().setCred(ROOT).setParent(ROOT_INODE).setName(name)
                .build());
        assertThat(reply.getStatus()).as(name + ": " + reply.getMessage()).isZero();
        return reply;
    }

    private static List<String> names(MasterClientServiceBlockingStub client) {
        return client.readDir(ReadDirRequest.newBuilder().setCred(ROOT).setInode(ROOT_INODE).build())
                .getEntriesList().stream().map(e -> e.getName()).toList();
    }
}
