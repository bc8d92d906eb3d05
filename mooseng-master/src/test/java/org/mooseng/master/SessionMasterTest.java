package org.mooseng.master;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mooseng.master.TestMasters.ROOT_INODE;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import io.grpc.ManagedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.common.Status;
import org.mooseng.common.config.Config;
import org.mooseng.proto.AttrReply;
import org.mooseng.proto.CreateOp;
import org.mooseng.proto.Credentials;
import org.mooseng.proto.FileOpenOp;
import org.mooseng.proto.FileType;
import org.mooseng.proto.GetAttrRequest;
import org.mooseng.proto.HeldOpen;
import org.mooseng.proto.ListSessionsRequest;
import org.mooseng.proto.LockRequest;
import org.mooseng.proto.LockType;
import org.mooseng.proto.MasterClientServiceGrpc.MasterClientServiceBlockingStub;
import org.mooseng.proto.MetaOp;
import org.mooseng.proto.MetaResult;
import org.mooseng.proto.MutateRequest;
import org.mooseng.proto.OpenFileRequest;
import org.mooseng.proto.OpenSessionRequest;
import org.mooseng.proto.ReclaimOpensRequest;
import org.mooseng.proto.ReleaseFileRequest;
import org.mooseng.proto.SessionInfo;
import org.mooseng.proto.SessionRequest;
import org.mooseng.proto.SetAttrOp;
import org.mooseng.proto.SetAttrRequest;
import org.mooseng.proto.UnlinkOp;
import org.mooseng.proto.WriteChunkRequest;

class SessionMasterTest {
    private static final Duration READY = Duration.ofSeconds(20);
    private static final Credentials ALICE = Credentials.newBuilder().setUid(1000).setGid(1000).build();
    private static final int READ = FileOpenOp.Flag.OPEN_READ_VALUE;
    private static final int WRITE = FileOpenOp.Flag.OPEN_WRITE_VALUE;

    @TempDir
    Path dir;
    private MasterServer master;
    private ManagedChannel channel;

    @AfterEach
    void stop() {
        disconnect();
    }

    @Test
    void sessionNotRenewedExpiresReleasingItsOpenFilesAndLocks() throws IOException {
        MasterClientServiceBlockingStub client = start(TestMasters.config(dir)
                .with(MasterConfig.SESSION_LEASE_MS, 400L).with(MasterConfig.SESSION_CHECK_INTERVAL_MS, 50L));
        long quiet = openSession(client, "quiet");
        long alive = openSession(client, "alive");
        long f = createFile(client, "f", TestMasters.ROOT);
        assertThat(client.openFile(openFile(quiet, f, READ | WRITE)).getStatus()).isZero();
        assertThat(client.setLock(lock(quiet, f, LockType.LOCK_EXCLUSIVE)).getStatus()).isZero();
        assertThat(client.setLock(lock(alive, f, LockType.LOCK_SHARED)).getStatus()).isEqualTo(Status.EAGAIN.code());
        unlink(client, "f");
        assertThat(getAttr(client, f).getAttr().getNlink()).isZero();

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
            assertThat(client.renewSession(SessionRequest.newBuilder().setSessionId(alive).build()).getStatus())
                    .isZero();
            return sessionIds(client).equals(java.util.List.of(alive));
        });
        // Nothing holds the unnamed file any more: the leader's purge deletes it.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> getAttr(client, f).getStatus() == Status.ENOENT.code());
        assertThat(master.sessionState().retainedInodes()).isEmpty();
        assertThat(client.setLock(lock(alive, f, LockType.LOCK_EXCLUSIVE)).getStatus()).isZero();
        assertThat(client.renewSession(SessionRequest.newBuilder().setSessionId(quiet).build()).getStatus())
                .isEqualTo(Status.ESTALE.code());
        assertThat(client.setLock(lock(quiet, f, LockType.LOCK_SHARED)).getStatus()).isEqualTo(Status.ESTALE.code());
    }

    @Test
    void resentOpensAndReleasesWithOneRequestIdCountOnce() throws IOException {
        MasterClientServiceBlockingStub client = start(TestMasters.config(dir));
        OpenSessionRequest hello = OpenSessionRequest.newBuilder().setHost("m1").setMountPoint("/mnt")
                .setRequestId(ByteString.copyFromUtf8("session-once")).build();
        long session = client.openSession(hello).getSession().getSessionId();
        assertThat(client.openSession(hello).getSession().getSessionId()).isEqualTo(session);
        assertThat(sessionIds(client)).containsExactly(session);

        long f = createFile(client, "f", TestMasters.ROOT);
        // Opens for writing go through the log, where a request id is remembered.
        OpenFileRequest open = openFile(session, f, READ | WRITE).toBuilder()
                .setRequestId(ByteString.copyFromUtf8("open-once")).build();
        assertThat(client.openFile(open).getStatus()).isZero();
        assertThat(client.openFile(open).getStatus()).isZero();
        // A second open of its own, so that a release counted twice would show.
        assertThat(client.openFile(openFile(session, f, READ | WRITE)).getStatus()).isZero();
        unlink(client, "f");

        ReleaseFileRequest release = ReleaseFileRequest.newBuilder().setSessionId(session).setInode(f)
                .setFlags(READ | WRITE).setRequestId(ByteString.copyFromUtf8("release-once")).build();
        assertThat(client.releaseFile(release).getStatus()).isZero();
        assertThat(client.releaseFile(release).getStatus()).isZero();
        // One open left: the unlinked file is still there.
        assertThat(getAttr(client, f).getStatus()).isZero();
        assertThat(master.sessionState().retainedInodes()).containsExactly(f);
        assertThat(client.releaseFile(ReleaseFileRequest.newBuilder().setSessionId(session).setInode(f)
                .setFlags(READ | WRITE).build()).getStatus()).isZero();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> getAttr(client, f).getStatus() == Status.ENOENT.code());
    }

    @Test
    void unlinkedOpenFileSurvivesAMasterRestartAndIsDeletedAfterRelease() throws IOException {
        Config config = TestMasters.config(dir);
        MasterClientServiceBlockingStub client = start(config);
        long session = openSession(client, "m1");
        long f = createFile(client, "f", TestMasters.ROOT);
        assertThat(client.openFile(openFile(session, f, WRITE)).getStatus()).isZero();
        unlink(client, "f");

        disconnect();
        client = start(config);

        AttrReply kept = getAttr(client, f);
        assertThat(kept.getStatus()).isZero();
        assertThat(kept.getAttr().getNlink()).isZero();
        assertThat(master.sessionState().retainedInodes()).containsExactly(f);
        assertThat(client.listSessions(ListSessionsRequest.getDefaultInstance()).getSessionsList())
                .singleElement().satisfies(s -> {
                    assertThat(s.getSessionId()).isEqualTo(session);
                    assertThat(s.getHost()).isEqualTo("m1");
                    assertThat(s.getOpenFiles()).isEqualTo(1);
                });

        MasterClientServiceBlockingStub restarted = client;
        assertThat(restarted.releaseFile(ReleaseFileRequest.newBuilder().setSessionId(session).setInode(f)
                .setFlags(WRITE).build()).getStatus()).isZero();
        // The session has not said it reclaimed under the new term: the purge waits for it.
        assertThat(restarted.renewSession(renew(session, restarted.renewSession(renew(session, 0)).getLeaderTerm()))
                .getStatus()).isZero();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> getAttr(restarted, f).getStatus() == Status.ENOENT.code());
        assertThat(master.sessionState().retainedInodes()).isEmpty();
    }

    @Test
    void readOnlyOpensAreHeldByTheLeaderAndKeepAnUnlinkedFileUntilTheirRelease() throws IOException {
        MasterClientServiceBlockingStub client = start(TestMasters.config(dir));
        long session = openSession(client, "reader");
        long f = createFile(client, "f", TestMasters.ROOT);
        long logIndex = appliedIndex(client);

        AttrReply first = client.openFile(openFile(session, f, READ));
        AttrReply second = client.openFile(openFile(session, f, READ));

        assertThat(first.getStatus()).as(first.getMessage()).isZero();
        assertThat(first.getLeaderHeld()).isTrue();
        assertThat(first.getLeaderTerm()).isPositive();
        assertThat(first.getAttr().getInode()).isEqualTo(f);
        assertThat(second.getLeaderHeld()).isTrue();
        assertThat(appliedIndex(client)).as("no log entry for a read-only open").isEqualTo(logIndex);
        assertThat(master.sessionState().isOpen(f)).isFalse();
        long other = createFile(client, "other", TestMasters.ROOT);
        assertThat(client.openFile(openFile(session, other, READ | WRITE)).getStatus()).isZero();
        assertThat(client.listSessions(ListSessionsRequest.getDefaultInstance()).getSessionsList())
                .singleElement().satisfies(s -> assertThat(s.getOpenFiles()).isEqualTo(2));
        // Refused opens go through the log, which gives the error.
        assertThat(client.setAttr(SetAttrRequest.newBuilder().setCred(TestMasters.ROOT).setOp(SetAttrOp.newBuilder()
                .setInode(f).setMode(0600).setValid(SetAttrOp.Field.SET_MODE_VALUE)).build()).getStatus()).isZero();
        AttrReply denied = client.openFile(openFile(session, f, READ).toBuilder().setCred(ALICE).build());
        assertThat(denied.getStatus()).isEqualTo(Status.EACCES.code());
        assertThat(denied.getLeaderHeld()).isFalse();

        unlink(client, "f");
        assertThat(master.sessionState().retainedInodes()).containsExactly(f);
        ReleaseFileRequest release = ReleaseFileRequest.newBuilder().setSessionId(session).setInode(f)
                .setFlags(READ | FileOpenOp.Flag.OPEN_LEADER_HELD_VALUE).build();
        assertThat(client.releaseFile(release).getStatus()).isZero();
        // One handle is still open: several purge rounds go by and the file stays.
        sleepMs(5 * MasterServer.PURGE_INTERVAL_MS);
        assertThat(getAttr(client, f).getStatus()).isZero();
        assertThat(master.sessionState().retainedInodes()).containsExactly(f);
        // A read-only open of a file without a name is not held: it goes through the log.
        AttrReply nameless = client.openFile(openFile(session, f, READ));
        assertThat(nameless.getStatus()).isZero();
        assertThat(nameless.getLeaderHeld()).isFalse();
        assertThat(client.releaseFile(release).getStatus()).isZero();
        sleepMs(5 * MasterServer.PURGE_INTERVAL_MS);
        assertThat(getAttr(client, f).getStatus()).as("open in the log").isZero();

        assertThat(client.releaseFile(release.toBuilder().setFlags(READ).build()).getStatus()).isZero();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> getAttr(client, f).getStatus() == Status.ENOENT.code());
        assertThat(master.sessionState().retainedInodes()).isEmpty();
    }

    @Test
    void afterARestartOpensGivenBackKeepTheirFilesAndTheOthersArePurgedOnceTheSessionsReclaimed()
            throws IOException {
        Config config = TestMasters.config(dir).with(MasterConfig.LOCK_RECLAIM_GRACE_MS, 300_000L);
        MasterClientServiceBlockingStub client = start(config);
        long session = openSession(client, "reader");
        long kept = createFile(client, "kept", TestMasters.ROOT);
        long dropped = createFile(client, "dropped", TestMasters.ROOT);
        assertThat(client.openFile(openFile(session, kept, READ)).getLeaderHeld()).isTrue();
        assertThat(client.openFile(openFile(session, kept, READ)).getLeaderHeld()).isTrue();
        assertThat(client.openFile(openFile(session, dropped, READ)).getLeaderHeld()).isTrue();
        unlink(client, "kept");
        unlink(client, "dropped");

        disconnect();
        MasterClientServiceBlockingStub next = start(config);

        // The new leader knows none of those opens; in its grace period it deletes nothing.
        sleepMs(5 * MasterServer.PURGE_INTERVAL_MS);
        assertThat(master.sessionState().retainedInodes()).containsExactlyInAnyOrder(kept, dropped);
        long term = next.renewSession(renew(session, 0)).getLeaderTerm();
        var reclaimed = next.reclaimOpens(ReclaimOpensRequest.newBuilder().setSessionId(session)
                .addOpens(HeldOpen.newBuilder().setInode(kept).setCount(2)).build());
        assertThat(reclaimed.getStatus()).isZero();
        assertThat(reclaimed.getLeaderTerm()).isEqualTo(term);
        assertThat(next.reclaimOpens(ReclaimOpensRequest.newBuilder().setSessionId(12345).build()).getStatus())
                .isEqualTo(Status.ESTALE.code());
        assertThat(next.renewSession(renew(session, term)).getStatus()).isZero(); // grace over: every session said so

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> getAttr(next, dropped).getStatus() == Status.ENOENT.code());
        ReleaseFileRequest release = ReleaseFileRequest.newBuilder().setSessionId(session).setInode(kept)
                .setFlags(READ | FileOpenOp.Flag.OPEN_LEADER_HELD_VALUE).build();
        assertThat(next.releaseFile(release).getStatus()).isZero();
        sleepMs(5 * MasterServer.PURGE_INTERVAL_MS);
        assertThat(getAttr(next, kept).getStatus()).isZero();
        assertThat(next.releaseFile(release).getStatus()).isZero();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> getAttr(next, kept).getStatus() == Status.ENOENT.code());
    }

    @Test
    void writeChunkTrustsTheOpenForWritingAfterTheModeDropsWriteBits() throws IOException {
        MasterClientServiceBlockingStub client = start(TestMasters.config(dir));
        long session = openSession(client, "tar");
        MetaResult created = client.mutate(MutateRequest.newBuilder().setOp(MetaOp.newBuilder().setCred(
                TestMasters.ROOT).setCreate(CreateOp.newBuilder().setParent(ROOT_INODE).setName("home")
                .setType(FileType.DIRECTORY).setMode(0777))).build());
        long home = created.getAttr().getInode();
        long f = client.mutate(MutateRequest.newBuilder().setOp(MetaOp.newBuilder().setCred(ALICE)
                .setCreate(CreateOp.newBuilder().setParent(home).setName("ro").setType(FileType.REGULAR)
                        .setMode(0644).setOpenSession(session).setOpenFlags(WRITE))).build()).getAttr().getInode();
        assertThat(client.setAttr(SetAttrRequest.newBuilder().setCred(ALICE).setOp(SetAttrOp.newBuilder()
                .setInode(f).setMode(0444).setValid(SetAttrOp.Field.SET_MODE_VALUE)).build()).getStatus()).isZero();

        WriteChunkRequest.Builder write = WriteChunkRequest.newBuilder().setCred(ALICE).setInode(f);
        assertThat(client.writeChunk(write.build()).getStatus()).isEqualTo(Status.EACCES.code());
        // With the session the permission check passes; no chunk server runs, so placement fails
        // next (retryably: the master has only just started).
        var withSession = client.writeChunk(write.setSessionId(session).build());
        assertThat(withSession.getStatus()).isEqualTo(Status.NOT_READY.code());
        assertThat(withSession.getMessage()).contains("no alive chunk server");
    }

    @Test
    void closedSessionDropsItsLocksAndUnknownSessionsCannotLockOrOpen() throws IOException {
        MasterClientServiceBlockingStub client = start(TestMasters.config(dir));
        long a = openSession(client, "a");
        long b = openSession(client, "b");
        long f = createFile(client, "f", TestMasters.ROOT);
        assertThat(client.flock(lock(a, f, LockType.LOCK_EXCLUSIVE)).getStatus()).isZero();
        assertThat(client.flock(lock(b, f, LockType.LOCK_SHARED)).getStatus()).isEqualTo(Status.EAGAIN.code());
        var getLock = client.getLock(lock(b, f, LockType.LOCK_SHARED));
        assertThat(getLock.getType()).isEqualTo(LockType.LOCK_UNLOCK); // flock and fcntl locks are separate

        assertThat(client.closeSession(SessionRequest.newBuilder().setSessionId(a).build()).getStatus()).isZero();

        assertThat(client.flock(lock(b, f, LockType.LOCK_EXCLUSIVE)).getStatus()).isZero();
        assertThat(client.openFile(openFile(a, f, READ)).getStatus()).isEqualTo(Status.ESTALE.code());
        assertThat(sessionIds(client)).containsExactly(b);
    }

    @Test
    void afterARestartTheLockGracePeriodEndsOnceEverySessionHasReclaimedOrExpired() throws IOException {
        Config config = TestMasters.config(dir).with(MasterConfig.SESSION_LEASE_MS, 3_000L)
                .with(MasterConfig.SESSION_CHECK_INTERVAL_MS, 50L)
                .with(MasterConfig.LOCK_RECLAIM_GRACE_MS, 300_000L);
        MasterClientServiceBlockingStub client = start(config);
        long a = openSession(client, "a");
        long b = openSession(client, "b");
        long silent = openSession(client, "silent");
        long f = createFile(client, "f", TestMasters.ROOT);
        long g = createFile(client, "g", TestMasters.ROOT);
        long oldTerm = client.setLock(lock(a, f, LockType.LOCK_EXCLUSIVE)).getLeaderTerm();

        disconnect();
        MasterClientServiceBlockingStub next = start(config);

        assertThat(sessionIds(next)).containsExactlyInAnyOrder(a, b, silent);
        long term = next.renewSession(renew(a, 0)).getLeaderTerm();
        assertThat(term).isGreaterThan(oldTerm);
        assertThat(next.setLock(lock(a, f, LockType.LOCK_EXCLUSIVE).toBuilder().setReclaim(true).build())
                .getStatus()).isZero();
        assertThat(next.renewSession(renew(a, term)).getStatus()).isZero();
        // Said for the old leader's term, it counts for nothing; said for this one, it counts.
        assertThat(next.renewSession(renew(b, oldTerm)).getStatus()).isZero();
        assertThat(next.renewSession(renew(b, term)).getStatus()).isZero();
        // One session has said nothing: it may still come with locks to reclaim.
        var refused = next.setLock(lock(b, g, LockType.LOCK_EXCLUSIVE));
        assertThat(refused.getStatus()).isEqualTo(Status.EAGAIN.code());
        assertThat(refused.getMessage()).contains("grace period");

        // It never renews, so it expires; then nothing holds the grace period up.
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).until(() -> {
            assertThat(next.renewSession(renew(a, term)).getStatus()).isZero();
            assertThat(next.renewSession(renew(b, term)).getStatus()).isZero();
            return java.util.Set.copyOf(sessionIds(next)).equals(java.util.Set.of(a, b));
        });
        assertThat(next.setLock(lock(b, g, LockType.LOCK_EXCLUSIVE)).getStatus()).isZero();
        var held = next.setLock(lock(b, f, LockType.LOCK_SHARED));
        assertThat(held.getStatus()).isEqualTo(Status.EAGAIN.code());
        assertThat(held.getMessage()).contains("locked by another owner");
    }

    private MasterClientServiceBlockingStub start(Config config) throws IOException {
        if (!MasterServer.isFormatted(config)) {
            MasterServer.format(config, "sessions-test");
        }
        master = MasterServer.start(config);
        channel = TestMasters.channel(master.clientPort());
        MasterClientServiceBlockingStub client = TestMasters.client(channel);
        await().atMost(READY).until(() -> master.isLeader()
                && client.getAttr(GetAttrRequest.newBuilder().setInode(ROOT_INODE).build()).getStatus() == 0);
        return client;
    }

    private void disconnect() {
        if (channel != null) {
            TestMasters.shutdown(channel);
            channel = null;
        }
        if (master != null) {
            master.close();
            master = null;
        }
    }

    private static long openSession(MasterClientServiceBlockingStub client, String host) {
        var reply = client.openSession(OpenSessionRequest.newBuilder().setHost(host).setMountPoint("/mnt").build());
        assertThat(reply.getStatus()).as(reply.getMessage()).isZero();
        return reply.getSession().getSessionId();
    }

    private static long createFile(MasterClientServiceBlockingStub client, String name, Credentials cred) {
        MetaResult r = client.mutate(MutateRequest.newBuilder().setOp(MetaOp.newBuilder().setCred(cred)
                .setCreate(CreateOp.newBuilder().setParent(ROOT_INODE).setName(name).setType(FileType.REGULAR)
                        .setMode(0644))).build());
        assertThat(r.getStatus()).as(r.getMessage()).isZero();
        return r.getAttr().getInode();
    }

    private static void unlink(MasterClientServiceBlockingStub client, String name) {
        MetaResult r = client.mutate(MutateRequest.newBuilder().setOp(MetaOp.newBuilder().setCred(TestMasters.ROOT)
                .setUnlink(UnlinkOp.newBuilder().setParent(ROOT_INODE).setName(name))).build());
        assertThat(r.getStatus()).as(r.getMessage()).isZero();
    }

    private static AttrReply getAttr(MasterClientServiceBlockingStub client, long inode) {
        return client.getAttr(GetAttrRequest.newBuilder().setInode(inode).build());
    }

    private static java.util.List<Long> sessionIds(MasterClientServiceBlockingStub client) {
        return client.listSessions(ListSessionsRequest.getDefaultInstance()).getSessionsList().stream()
                .map(SessionInfo::getSessionId).toList();
    }

    private static OpenFileRequest openFile(long session, long inode, int flags) {
        return OpenFileRequest.newBuilder().setCred(TestMasters.ROOT).setSessionId(session).setInode(inode)
                .setFlags(flags).build();
    }

    private static long appliedIndex(MasterClientServiceBlockingStub client) {
        return client.clusterInfo(org.mooseng.proto.ClusterInfoRequest.getDefaultInstance()).getRaftAppliedIndex();
    }

    private static void sleepMs(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static SessionRequest renew(long session, long reclaimCompleteTerm) {
        return SessionRequest.newBuilder().setSessionId(session).setReclaimCompleteTerm(reclaimCompleteTerm).build();
    }

    private static LockRequest lock(long session, long inode, LockType type) {
        return LockRequest.newBuilder().setSessionId(session).setInode(inode).setLockOwner(1).setType(type)
                .setPid(42).build();
    }
}
