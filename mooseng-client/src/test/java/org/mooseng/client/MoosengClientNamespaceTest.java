package org.mooseng.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mooseng.common.Status;

/** The path API against an in-memory master over real gRPC. */
class MoosengClientNamespaceTest {
    private FakeMaster master;
    private FakeChunkServers chunkServers;
    private MoosengClient client;

    @BeforeEach
    void start() throws Exception {
        master = new FakeMaster();
        chunkServers = new FakeChunkServers();
        client = MoosengClient.connect(master.options().build(), chunkServers);
    }

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        master.close();
    }

    @Test
    void connectLearnsTheClusterIdAndSendsItOnEveryLaterCall() throws Exception {
        client.mkdir("/d", 0755);
        assertThat(client.clusterId()).isEqualTo(FakeMaster.CLUSTER_ID);
        assertThat(master.clusterHeaders.getFirst()).isEqualTo("ClusterInfo=null");
        assertThat(master.clusterHeaders.subList(1, master.clusterHeaders.size()))
                .isNotEmpty().allSatisfy(h -> assertThat(h).endsWith("=" + FakeMaster.CLUSTER_ID));
    }

    @Test
    void masterOfAnotherClusterIsRefused() {
        assertThatThrownBy(() -> MoosengClient.connect(master.options().expectedClusterId("other").build(),
                new FakeChunkServers()))
                .isInstanceOfSatisfying(MoosengException.class,
                        e -> assertThat(e.status()).isEqualTo(Status.WRONG_CLUSTER));
    }

    @Test
    void unreachableMasterIsConnectionRefused() throws Exception {
        int port = master.port();
        master.close();
        assertThatThrownBy(() -> MoosengClient.connect(ClientOptions.builder().master("127.0.0.1", port)
                .rpcTimeoutMs(2_000).credentials(UserCredentials.root()).build(), new FakeChunkServers()))
                .isInstanceOfSatisfying(MoosengException.class,
                        e -> assertThat(e.status()).isEqualTo(Status.ECONNREFUSED));
    }

    @Test
    void followerRedirectsToTheLeaderItNames() throws Exception {
        try (FakeMaster follower = new FakeMaster()) {
            follower.followerOf = "127.0.0.1:" + master.port();
            try (MoosengClient viaFollower = MoosengClient.connect(ClientOptions.builder()
                    .master("127.0.0.1", follower.port()).credentials(UserCredentials.root()).build(),
                    new FakeChunkServers())) {
                viaFollower.mkdir("/made-via-follower", 0755);
                assertThat(viaFollower.stat("/made-via-follower").isDirectory()).isTrue();
            }
            assertThat(follower.notLeaderReplies.get()).isEqualTo(1); // later calls went to the leader directly
        }
        assertThat(client.exists("/made-via-follower")).isTrue();
    }

    @Test
    void memberWithoutKnownLeaderIsSkippedForTheNextConfiguredMaster() throws Exception {
        try (FakeMaster electing = new FakeMaster()) {
            electing.followerOf = "";
            try (MoosengClient c = MoosengClient.connect(ClientOptions.builder()
                    .master("127.0.0.1:" + electing.port() + ",127.0.0.1:" + master.port())
                    .credentials(UserCredentials.root()).build(), new FakeChunkServers())) {
                c.mkdir("/after-election", 0755);
            }
            assertThat(electing.notLeaderReplies.get()).isGreaterThanOrEqualTo(1);
        }
        assertThat(client.exists("/after-election")).isTrue();
    }

    @Test
    void mkdirsListStatAndRmdir() throws Exception {
        client.mkdirs("/a/b/c", 0750);
        client.mkdirs("/a/b", 0750); // existing directories are fine
        assertThat(client.stat("/a/b/c").isDirectory()).isTrue();
        assertThat(client.stat("/a/b/c").mode()).isEqualTo(0750);
        assertThat(client.list("/a/b")).extracting(DirectoryEntry::name).containsExactly("c");
        assertThatThrownBy(() -> client.rmdir("/a/b"))
                .isInstanceOfSatisfying(MoosengException.class, e -> {
                    assertThat(e.status()).isEqualTo(Status.ENOTEMPTY);
                    assertThat(e.getMessage()).isEqualTo("/a/b: directory not empty");
                });
        client.rmdir("/a/b/c");
        assertThat(client.exists("/a/b/c")).isFalse();
    }

    @Test
    void listingLargerThanOnePageIsComplete() throws Exception {
        FileStat dir = client.mkdir("/many", 0755);
        for (int i = 0; i < 1030; i++) {
            client.create(dir.inode(), "f" + i, 0644, true);
        }
        assertThat(client.list("/many")).hasSize(1030).extracting(DirectoryEntry::name).doesNotHaveDuplicates();
    }

    @Test
    void missingPathErrorStartsWithThePath() {
        assertThatThrownBy(() -> client.stat("/nope/x"))
                .isInstanceOfSatisfying(MoosengException.class, e -> {
                    assertThat(e.status()).isEqualTo(Status.ENOENT);
                    assertThat(e.errno()).isEqualTo(2);
                    assertThat(e.getMessage()).isEqualTo("/nope/x: no such file or directory");
                });
    }

    @Test
    void symlinksHardLinksAndRename() throws Exception {
        client.mkdir("/d", 0755);
        client.create("/d/f", 0644, true).close();
        client.symlink("/d", "/ld");
        assertThat(client.readlink("/ld")).isEqualTo("/d");
        assertThat(client.stat("/ld/f").isRegularFile()).isTrue();
        assertThat(client.lstat("/ld").isSymlink()).isTrue();
        FileStat linked = client.link("/d/f", "/g");
        assertThat(linked.nlink()).isEqualTo(2);
        assertThat(client.stat("/g").inode()).isEqualTo(client.stat("/d/f").inode());
        client.rename("/g", "/d/h");
        assertThat(client.exists("/g")).isFalse();
        assertThat(client.list("/d")).extracting(DirectoryEntry::name).containsExactly("f", "h");
        client.unlink("/d/h");
        assertThat(client.exists("/d/h")).isFalse();
    }

    @Test
    void exclusiveCreateOfAnExistingFileIsEexist() throws Exception {
        client.create("/f", 0644, true).close();
        assertThatThrownBy(() -> client.create("/f", 0644, true))
                .isInstanceOfSatisfying(MoosengException.class, e -> assertThat(e.status()).isEqualTo(Status.EEXIST));
        assertThatThrownBy(() -> client.open("/f", OpenFlag.WRITE, OpenFlag.CREATE, OpenFlag.EXCLUSIVE))
                .isInstanceOfSatisfying(MoosengException.class, e -> assertThat(e.status()).isEqualTo(Status.EEXIST));
        assertThatThrownBy(() -> client.open("/", OpenFlag.READ))
                .isInstanceOfSatisfying(MoosengException.class, e -> assertThat(e.status()).isEqualTo(Status.EISDIR));
    }

    @Test
    void attributesXattrsGoalAndAdminViews() throws Exception {
        client.create("/f", 0644, true).close();
        assertThat(client.chmod("/f", 0600).mode()).isEqualTo(0600);
        FileStat owned = client.chown("/f", 1000, -1);
        assertThat(owned.uid()).isEqualTo(1000);
        assertThat(owned.gid()).isEqualTo(0);
        client.setxattr("/f", "user.tag", "blue".getBytes(StandardCharsets.UTF_8), 0);
        assertThat(new String(client.getxattr("/f", "user.tag"), StandardCharsets.UTF_8)).isEqualTo("blue");
        assertThat(client.listxattr("/f")).containsExactly("user.tag");
        client.removexattr("/f", "user.tag");
        assertThatThrownBy(() -> client.getxattr("/f", "user.tag"))
                .isInstanceOfSatisfying(MoosengException.class, e -> assertThat(e.status()).isEqualTo(Status.ENODATA));
        assertThat(client.setGoal("/f", 3, false).goal()).isEqualTo(3);
        assertThat(client.getGoal("/f")).isEqualTo(3);
        assertThat(client.statfs().freeBytes()).isEqualTo(600);
        assertThat(client.clusterInfo().clusterId()).isEqualTo(FakeMaster.CLUSTER_ID);
        assertThat(client.chunkServers()).extracting(ChunkServerStatus::serverId).containsExactly("cs1", "cs2", "cs3");
        assertThat(client.fileInfo("/f").chunks()).isEmpty();
    }
}
