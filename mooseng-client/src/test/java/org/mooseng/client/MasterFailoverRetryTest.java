package org.mooseng.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mooseng.common.InodeId;
import org.mooseng.common.Status;

/**
 * A master call whose outcome is unknown (reply lost, deadline passed, master gone, election)
 * is sent again with the same request id until a master answers, within the failover timeout;
 * a definite answer is never sent again.
 */
class MasterFailoverRetryTest {
    private FakeMaster master;
    private MoosengClient client;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    @BeforeEach
    void start() throws Exception {
        master = new FakeMaster();
        client = MoosengClient.connect(master.options().failoverTimeoutMs(10_000).build(), new FakeChunkServers());
    }

    @AfterEach
    void stop() {
        timer.shutdownNow();
        client.close();
        master.close();
    }

    @Test
    void aMkdirWhoseReplyIsLostAfterTheCommitIsResentWithTheSameIdAndSucceeds() throws Exception {
        master.loseRepliesAfterApplying("Mutate", 1);
        FileStat made = client.mkdir("/d", 0755);

        assertThat(master.mutateRequestIds).hasSize(2);
        ByteString id = master.mutateRequestIds.getFirst();
        assertThat(id.size()).isEqualTo(16);
        assertThat(master.mutateRequestIds.get(1)).isEqualTo(id);
        assertThat(client.list("/")).extracting(DirectoryEntry::name).containsExactly("d");
        assertThat(client.stat("/d").inode()).isEqualTo(made.inode());

        client.mkdir("/e", 0755);
        assertThat(master.mutateRequestIds.getLast()).as("a new change, a new id").isNotEqualTo(id);
    }

    @Test
    void anExclusiveCreateWhoseRepliesAreLostTwiceSucceedsInsteadOfEexist() throws Exception {
        master.loseRepliesAfterApplying("Mutate", 2);
        FileStat created = client.create(InodeId.ROOT, "f", 0644, true);

        assertThat(master.mutateRequestIds).hasSize(3).containsOnly(master.mutateRequestIds.getFirst());
        assertThat(client.stat("/f").inode()).isEqualTo(created.inode());
    }

    @Test
    void aChmodWhoseReplyIsLostIsResentWithTheSameId() throws Exception {
        client.mkdir("/d", 0755);
        master.loseRepliesAfterApplying("SetAttr", 1);
        client.chmod("/d", 0700);

        assertThat(master.setAttrRequestIds).hasSize(2);
        assertThat(master.setAttrRequestIds.get(1)).isEqualTo(master.setAttrRequestIds.getFirst());
        assertThat(master.setAttrRequestIds.getFirst()).isNotEmpty();
        assertThat(client.stat("/d").mode()).isEqualTo(0700);
    }

    @Test
    void aDefiniteErrnoIsNotResent() throws Exception {
        client.mkdir("/d", 0755);
        int sent = master.mutateRequestIds.size();
        assertThatThrownBy(() -> client.mkdir("/d", 0755)).isInstanceOfSatisfying(MoosengException.class,
                e -> assertThat(e.status()).isEqualTo(Status.EEXIST));
        assertThat(master.mutateRequestIds).hasSize(sent + 1);
    }

    @Test
    void readsAreResentToo() throws Exception {
        client.mkdir("/d", 0755);
        master.loseRepliesAfterApplying("Lookup", 1);
        assertThat(client.stat("/d").isDirectory()).isTrue();
    }

    @Test
    void aCallPastItsDeadlineIsResent() throws Exception {
        try (MoosengClient impatient = MoosengClient.connect(master.options().rpcTimeoutMs(200)
                .failoverTimeoutMs(10_000).build(), new FakeChunkServers())) {
            master.delayRepliesAfterApplying("Mutate", 1, 1_000);
            impatient.mkdir("/slow", 0755);
            assertThat(master.mutateRequestIds).hasSizeGreaterThanOrEqualTo(2)
                    .containsOnly(master.mutateRequestIds.getFirst());
            assertThat(impatient.list("/")).extracting(DirectoryEntry::name).containsExactly("slow");
        }
    }

    @Test
    void anElectionIsWaitedOut() throws Exception {
        master.followerOf = ""; // no leader known
        timer.schedule(() -> master.followerOf = null, 400, TimeUnit.MILLISECONDS);
        long startNanos = System.nanoTime();
        client.mkdir("/after-election", 0755);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos)).isGreaterThanOrEqualTo(350);
        assertThat(master.notLeaderReplies.get()).isGreaterThanOrEqualTo(2);
        assertThat(client.stat("/after-election").isDirectory()).isTrue();
    }

    @Test
    void noLeaderWithinTheFailoverTimeoutIsNotLeader() throws Exception {
        try (MoosengClient brief = MoosengClient.connect(master.options().failoverTimeoutMs(300).build(),
                new FakeChunkServers())) {
            master.followerOf = "";
            long startNanos = System.nanoTime();
            assertThatThrownBy(() -> brief.mkdir("/never", 0755)).isInstanceOfSatisfying(MoosengException.class,
                    e -> assertThat(e.status()).isEqualTo(Status.NOT_LEADER));
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
            assertThat(elapsedMs).isBetween(250L, 3_000L);
        }
    }

    @Test
    void chunkCallsAnsweredNotReadyByANewLeaderAreAskedAgain() throws Exception {
        try (MoosengFile f = client.create("/f", 0644, true)) {
            master.notReadyChunkReplies.set(3);
            f.write(0, java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}));
        }
        assertThat(master.notReadyChunkReplies.get()).isZero();
        assertThat(master.writeChunkRequests).hasSize(4);

        int before = master.readChunkCalls.get();
        master.notReadyChunkReplies.set(2);
        try (MoosengFile f = client.open("/f")) {
            java.nio.ByteBuffer dst = java.nio.ByteBuffer.allocate(3);
            assertThat(f.read(0, dst)).isEqualTo(3);
            assertThat(dst.array()).containsExactly(1, 2, 3);
        }
        assertThat(master.readChunkCalls.get() - before).isGreaterThanOrEqualTo(3);
    }

    @Test
    void aLeaderThatStaysNotReadyPastTheFailoverTimeoutIsAnEioForTheKernel() throws Exception {
        try (MoosengClient brief = MoosengClient.connect(master.options().failoverTimeoutMs(300).build(),
                new FakeChunkServers())) {
            MoosengFile f = brief.create("/f", 0644, true);
            master.notReadyChunkReplies.set(Integer.MAX_VALUE);
            assertThatThrownBy(() -> {
                f.write(0, java.nio.ByteBuffer.wrap(new byte[] {1}));
                f.fsync();
            }).isInstanceOfSatisfying(MoosengException.class, e -> {
                assertThat(e.status()).isEqualTo(Status.NOT_READY);
                assertThat(e.status().errno()).isEqualTo(Status.EIO.code());
            });
            assertThat(master.writeChunkRequests.size()).isGreaterThan(1);
            // The failed write is reported again at close, as a close after a failed write must.
            assertThatThrownBy(f::close).isInstanceOf(MoosengException.class);
        }
    }

    @Test
    void aFailoverTimeoutOfZeroNeverResends() throws Exception {
        try (MoosengClient once = MoosengClient.connect(master.options().failoverTimeoutMs(0).build(),
                new FakeChunkServers())) {
            master.loseRepliesAfterApplying("Mutate", 1);
            assertThatThrownBy(() -> once.mkdir("/d", 0755)).isInstanceOfSatisfying(MoosengException.class,
                    e -> assertThat(e.status()).isEqualTo(Status.ECONNREFUSED));
            assertThat(master.mutateRequestIds).hasSize(1);
        }
    }

    @Test
    void aMasterThatGoesAwayIsReplacedByTheNextConfiguredOne() throws Exception {
        try (FakeMaster second = new FakeMaster();
                MoosengClient twoMasters = MoosengClient.connect(master.options()
                        .master("127.0.0.1:" + master.port() + ",127.0.0.1:" + second.port()).build(),
                        new FakeChunkServers())) {
            master.close();
            twoMasters.mkdir("/on-the-second", 0755);
            assertThat(second.mutateRequestIds).hasSize(1);
            assertThat(twoMasters.stat("/on-the-second").isDirectory()).isTrue();
        }
    }
}
