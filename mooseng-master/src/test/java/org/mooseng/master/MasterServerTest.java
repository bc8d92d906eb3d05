package org.mooseng.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.mooseng.master.TestMasters.ROOT;
import static org.mooseng.master.TestMasters.ROOT_INODE;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.common.config.Config;
import org.mooseng.proto.AttrReply;
import org.mooseng.proto.ClusterInfoRequest;
import org.mooseng.proto.DirEntry;
import org.mooseng.proto.FileType;
import org.mooseng.proto.GetAttrRequest;
import org.mooseng.proto.LookupRequest;
import org.mooseng.proto.MasterClientServiceGrpc.MasterClientServiceBlockingStub;
import org.mooseng.proto.MetaOp;
import org.mooseng.proto.MetaResult;
import org.mooseng.proto.MutateRequest;
import org.mooseng.proto.ReadDirRequest;
import org.mooseng.proto.RenameOp;
import org.mooseng.proto.SetAttrOp;
import org.mooseng.proto.ChunkWriteBeginOp;

class MasterServerTest {
    private static final Duration READY = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    private MasterServer master;
    private ManagedChannel channel;

    @AfterEach
    void stop() {
        if (channel != null) {
            TestMasters.shutdown(channel);
        }
        if (master != null) {
            master.close();
        }
    }

    private MasterClientServiceBlockingStub startAndConnect(Config config) throws IOException {
        master = MasterServer.start(config);
        channel = TestMasters.channel(master.clientPort());
        MasterClientServiceBlockingStub client = TestMasters.client(channel);
        await().atMost(READY).until(() -> master.isLeader()
                && client.getAttr(GetAttrRequest.newBuilder().setInode(ROOT_INODE).build()).getStatus() == 0);
        return client;
    }

    @Test
    void formatRefusesAnAlreadyFormattedDirectoryAndKeepsTheFirstId() throws Exception {
        Config config = TestMasters.config(dir.resolve("m"));
        assertThat(MasterServer.isFormatted(config)).isFalse();
        MasterServer.format(config, "cluster-a");
        assertThatThrownBy(() -> MasterServer.format(config, "cluster-b")).isInstanceOf(IOException.class)
                .hasMessageContaining("already formatted");
        assertThat(MasterServer.isFormatted(config)).isTrue();
        assertThat(MasterServer.clusterIdOf(config)).isEqualTo("cluster-a");
    }

    @Test
    void startRefusesAnUnformattedDirectory() {
        assertThatThrownBy(() -> MasterServer.start(TestMasters.config(dir.resolve("empty"))))
                .isInstanceOf(IOException.class).hasMessageContaining("not formatted");
    }

    @Test
    void namespaceChangesSurviveAnAbruptRestartOnTheSameDirectory() throws Exception {
        Config config = TestMasters.config(dir.resolve("m"));
        MasterServer.format(config, "cluster-a");
        MasterClientServiceBlockingStub client = startAndConnect(config);

        MetaResult docs = client.mutate(TestMasters.create(ROOT_INODE, "docs", FileType.DIRECTORY));
        assertThat(docs.getStatus()).isZero();
        long docsInode = docs.getAttr().getInode();
        assertThat(client.mutate(TestMasters.create(docsInode, "a.txt", FileType.REGULAR)).getStatus()).isZero();
        MetaResult renamed = client.mutate(MutateRequest.newBuilder().setOp(MetaOp.newBuilder().setCred(ROOT)
                .setRename(RenameOp.newBuilder().setParent(docsInode).setName("a.txt").setNewParent(docsInode)
                        .setNewName("b.txt"))).build());
        assertThat(renamed.getStatus()).isZero();
        assertThat(client.clusterInfo(ClusterInfoRequest.getDefaultInstance()).getClusterId()).isEqualTo("cluster-a");

        master.close();
        TestMasters.shutdown(channel);
        client = startAndConnect(config);

        AttrReply lookup = client.lookup(LookupRequest.newBuilder().setCred(ROOT).setParent(ROOT_INODE)
                .setName("docs").build());
        assertThat(lookup.getStatus()).isZero();
        assertThat(lookup.getAttr().getInode()).isEqualTo(docsInode);
        assertThat(client.readDir(ReadDirRequest.newBuilder().setCred(ROOT).setInode(docsInode).build())
                .getEntriesList()).extracting(DirEntry::getName).containsExactly("b.txt");
        assertThat(client.lookup(LookupRequest.newBuilder().setCred(ROOT).setParent(docsInode).setName("a.txt")
                .build()).getStatus()).isEqualTo(org.mooseng.common.Status.ENOENT.code());
    }

    @Test
    void mutateRefusesOpsThatHaveTheirOwnRpc() throws Exception {
        Config config = TestMasters.config(dir.resolve("m"));
        MasterServer.format(config, "cluster-a");
        MasterClientServiceBlockingStub client = startAndConnect(config);
        for (MetaOp op : new MetaOp[] {
                MetaOp.newBuilder().setCred(ROOT).setSetAttr(SetAttrOp.newBuilder().setInode(ROOT_INODE)).build(),
                MetaOp.newBuilder().setCred(ROOT).setChunkWriteBegin(ChunkWriteBeginOp.newBuilder().setInode(2)).build(),
                MetaOp.getDefaultInstance()}) {
            assertThat(client.mutate(MutateRequest.newBuilder().setOp(op).build()).getStatus())
                    .isEqualTo(org.mooseng.common.Status.EINVAL.code());
        }
    }

    @Test
    void clusterIdHeaderMustMatchWhenPresent() throws Exception {
        Config config = TestMasters.config(dir.resolve("m"));
        MasterServer.format(config, "cluster-a");
        startAndConnect(config);

        ManagedChannel wrong = TestMasters.channel(master.clientPort(), "cluster-b");
        ManagedChannel right = TestMasters.channel(master.clientPort(), "cluster-a");
        try {
            assertThatThrownBy(() -> TestMasters.client(wrong).getAttr(GetAttrRequest.newBuilder()
                    .setInode(ROOT_INODE).build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
                        assertThat(e.getStatus().getDescription())
                                .isEqualTo("cluster id mismatch: expected cluster-a, got cluster-b");
                    });
            assertThat(TestMasters.client(right).getAttr(GetAttrRequest.newBuilder().setInode(ROOT_INODE).build())
                    .getStatus()).isZero();
            assertThat(TestMasters.client(channel).getAttr(GetAttrRequest.newBuilder().setInode(ROOT_INODE).build())
                    .getStatus()).isZero();
        } finally {
            TestMasters.shutdown(wrong);
            TestMasters.shutdown(right);
        }
    }
}
