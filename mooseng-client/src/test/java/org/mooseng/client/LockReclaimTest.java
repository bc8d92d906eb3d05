package org.mooseng.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mooseng.common.InodeId;
import org.mooseng.common.Status;
import org.mooseng.proto.Attr;
import org.mooseng.proto.AttrReply;
import org.mooseng.proto.ClusterInfoReply;
import org.mooseng.proto.ClusterInfoRequest;
import org.mooseng.proto.FileType;
import org.mooseng.proto.ListSessionsReply;
import org.mooseng.proto.ListSessionsRequest;
import org.mooseng.proto.LockReply;
import org.mooseng.proto.LockRequest;
import org.mooseng.proto.MasterClientServiceGrpc;
import org.mooseng.proto.OpenFileRequest;
import org.mooseng.proto.OpenSessionRequest;
import org.mooseng.proto.ReclaimOpensRequest;
import org.mooseng.proto.ReleaseFileRequest;
import org.mooseng.proto.RenewSessionReply;
import org.mooseng.proto.SessionInfo;
import org.mooseng.proto.SessionReply;
import org.mooseng.proto.SessionRequest;
import org.mooseng.proto.StatusReply;

/** The client gives its locks back to a new leader, against a master that only grants and records. */
class LockReclaimTest {
    static final InodeId FILE = new InodeId(5);
    static final InodeId OTHER_FILE = new InodeId(6);
    static final long OWNER = 11;
    static final long OTHER_OWNER = 12;

    private ScriptedLeader master;
    private ScriptedLeader nextMaster;
    private MoosengClient client;

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (master != null) {
            master.close();
        }
        if (nextMaster != null) {
            nextMaster.close();
        }
    }

    @Test
    void heldLocksAreReclaimedWhenAReplyNamesANewTermBeforeTheNextLockCallGoesOut() throws Exception {
        start(3_600_000);
        client.setLock(FILE, OWNER, LockType.EXCLUSIVE, 0, 100, 7);
        client.setLock(FILE, OWNER, LockType.UNLOCK, 10, 10, 7);
        client.flock(OTHER_FILE, OTHER_OWNER, LockType.SHARED, true);
        client.setLock(OTHER_FILE, OTHER_OWNER, LockType.SHARED, 0, 0, 8);
        client.setLock(OTHER_FILE, OTHER_OWNER, LockType.UNLOCK, 0, 0, 8);
        master.received.clear();

        master.term.set(2);
        assertThat(client.getLock(FILE, OTHER_OWNER, LockType.SHARED, 0, 1, 9).isUnlocked()).isTrue();
        client.setLock(OTHER_FILE, OWNER, LockType.SHARED, 0, 1, 7);

        assertThat(master.received).containsExactly(
                "getlk 5/12 SHARED 0+1",
                "reclaim setlk 5/11 EXCLUSIVE 0+10 pid 7",
                "reclaim setlk 5/11 EXCLUSIVE 20+80 pid 7",
                "reclaim flock 6/12 SHARED",
                "setlk 6/11 SHARED 0+1");
        master.received.clear();
        // The leader now has them: the next call sends nothing else.
        client.setLock(OTHER_FILE, OWNER, LockType.UNLOCK, 0, 0, 7);
        assertThat(master.received).containsExactly("setlk 6/11 UNLOCK 0+0");
    }

    @Test
    void aRenewalNamingANewTermReclaimsWithoutAnyLockCall() throws Exception {
        start(600);
        client.setLock(FILE, OWNER, LockType.SHARED, 0, 0, 7);
        master.received.clear();

        master.term.set(3);
        await(() -> master.received.size() == 1);
        assertThat(master.received)
                .containsExactly("reclaim setlk 5/11 SHARED 0+0 pid 7");
        // Later renewals under the same term send nothing more.
        int renewals = master.renewals.get();
        await(() -> master.renewals.get() >= renewals + 2);
        assertThat(master.received).hasSize(1);
    }

    @Test
    void afterReclaimingUnderANewTermTheSessionSaysSoWithoutWaitingForItsNextRenewal() throws Exception {
        // Renewals are 20 minutes apart: whatever renews during the test was triggered.
        start(3_600_000);
        client.setLock(FILE, OWNER, LockType.EXCLUSIVE, 0, 100, 7);
        master.received.clear();

        master.term.set(2);
        client.getLock(FILE, OTHER_OWNER, LockType.SHARED, 0, 1, 9);

        await(() -> master.reclaimCompleteSaid.containsKey(2L));
        assertThat(master.received).containsExactly(
                "getlk 5/12 SHARED 0+1",
                "reclaim setlk 5/11 EXCLUSIVE 0+100 pid 7");
        // First said once the reclaim was in, never before.
        assertThat(master.reclaimCompleteSaid.get(2L)).isEqualTo(2);
    }

    @Test
    void readOnlyOpensTheLeaderHeldAreGivenBackBeforeTheSessionSaysItHasReclaimed() throws Exception {
        start(3_600_000);
        client.registerOpen(FILE, EnumSet.of(OpenFlag.READ));
        client.registerOpen(FILE, EnumSet.of(OpenFlag.READ));
        client.registerOpen(OTHER_FILE, EnumSet.of(OpenFlag.READ));
        client.release(OTHER_FILE, EnumSet.of(OpenFlag.READ), 0);
        client.registerOpen(OTHER_FILE, EnumSet.of(OpenFlag.READ));

        master.term.set(3);
        client.getLock(FILE, OWNER, LockType.SHARED, 0, 1, 9); // how this client hears of the new term

        await(() -> master.reclaimCompleteSaid.containsKey(3L));
        assertThat(master.openReclaims).containsExactly(List.of("5x2", "6x1"));
        assertThat(master.reclaimCompleteAfterOpens.get(3L)).isEqualTo(1);
        // Released as held: the leader drops it from its memory, no log entry.
        client.release(FILE, EnumSet.of(OpenFlag.READ), 0);
        assertThat(master.releases).containsExactly("6 5", "5 5");
    }

    @Test
    void aSessionWithoutLocksSaysItHasReclaimedOnceItHearsOfANewTerm() throws Exception {
        start(3_600_000);
        master.term.set(4);
        assertThat(client.getLock(FILE, OWNER, LockType.EXCLUSIVE, 0, 0, 7).isUnlocked()).isTrue();

        await(() -> master.reclaimCompleteSaid.containsKey(4L));
        assertThat(master.received).containsExactly("getlk 5/11 EXCLUSIVE 0+0");
    }

    @Test
    void aReplyFromAnotherMasterRenewsAtOnceAndSoReclaimsWithoutALockCall() throws Exception {
        master = new ScriptedLeader(3_600_000);
        nextMaster = new ScriptedLeader(3_600_000);
        nextMaster.term.set(2);
        client = MoosengClient.connect(ClientOptions.builder()
                .master("127.0.0.1:" + master.port() + ",127.0.0.1:" + nextMaster.port())
                .credentials(UserCredentials.root()).session(new SessionOptions(true, 0, "test", "/mnt/test"))
                .failoverTimeoutMs(5_000).build());
        client.setLock(FILE, OWNER, LockType.SHARED, 0, 0, 7);
        assertThat(nextMaster.renewals.get()).isZero();

        master.close();
        // Any call will do; this one knows nothing of terms or locks.
        client.listSessions();

        await(() -> nextMaster.reclaimCompleteSaid.containsKey(2L));
        assertThat(nextMaster.received).containsExactly("reclaim setlk 5/11 SHARED 0+0 pid 7");
        assertThat(nextMaster.reclaimCompleteSaid.get(2L)).isEqualTo(1);
    }

    @Test
    void aRefusedReclaimIsLostAndNotSentToTheLeaderAfter() throws Exception {
        start(3_600_000);
        client.setLock(FILE, OWNER, LockType.EXCLUSIVE, 0, 10, 7);
        client.flock(FILE, OWNER, LockType.EXCLUSIVE, true);
        client.setLock(OTHER_FILE, OWNER, LockType.EXCLUSIVE, 0, 10, 7);
        master.refuseReclaim = r -> r.getInode() == FILE.value();
        master.received.clear();

        master.term.set(2);
        client.getLock(FILE, OTHER_OWNER, LockType.SHARED, 0, 1, 9);
        assertThat(master.received).containsExactly(
                "getlk 5/12 SHARED 0+1",
                "reclaim setlk 5/11 EXCLUSIVE 0+10 pid 7",
                "reclaim flock 5/11 EXCLUSIVE",
                "reclaim setlk 6/11 EXCLUSIVE 0+10 pid 7");
        master.received.clear();

        master.term.set(3);
        client.getLock(FILE, OTHER_OWNER, LockType.SHARED, 0, 1, 9);
        assertThat(master.received).containsExactly(
                "getlk 5/12 SHARED 0+1",
                "reclaim setlk 6/11 EXCLUSIVE 0+10 pid 7");
    }

    @Test
    void aReclaimForASessionTheLeaderDoesNotKnowDropsEveryLock() throws Exception {
        start(3_600_000);
        client.setLock(FILE, OWNER, LockType.EXCLUSIVE, 0, 10, 7);
        client.setLock(OTHER_FILE, OWNER, LockType.EXCLUSIVE, 0, 10, 7);
        master.refuseReclaim = r -> true;
        master.refusal = Status.ESTALE;
        master.received.clear();

        master.term.set(2);
        client.getLock(FILE, OTHER_OWNER, LockType.SHARED, 0, 1, 9);
        master.refuseReclaim = r -> false;
        master.term.set(3);
        client.getLock(FILE, OTHER_OWNER, LockType.SHARED, 0, 1, 9);
        assertThat(master.received).containsExactly(
                "getlk 5/12 SHARED 0+1",
                "reclaim setlk 5/11 EXCLUSIVE 0+10 pid 7",
                "getlk 5/12 SHARED 0+1");
    }

    @Test
    void unlockedAndClosedLocksAreNotReclaimed() throws Exception {
        start(3_600_000);
        client.setLock(FILE, OWNER, LockType.EXCLUSIVE, 0, 10, 7);
        client.flock(FILE, OWNER, LockType.EXCLUSIVE, true);
        client.flock(OTHER_FILE, OWNER, LockType.SHARED, true);
        client.flock(OTHER_FILE, OWNER, LockType.UNLOCK, true);
        client.release(FILE, EnumSet.of(OpenFlag.READ), OWNER);
        // A lock the master refused is not held either.
        master.refuseAll = true;
        assertThatThrownBy(() -> client.setLock(FILE, OTHER_OWNER, LockType.SHARED, 0, 0, 8))
                .isInstanceOfSatisfying(MoosengException.class, e -> assertThat(e.status()).isEqualTo(Status.EAGAIN));
        master.refuseAll = false;
        master.received.clear();

        master.term.set(2);
        client.getLock(FILE, OTHER_OWNER, LockType.SHARED, 0, 1, 9);
        assertThat(master.received).containsExactly("getlk 5/12 SHARED 0+1");
        assertThat(master.releasedOwners).containsExactly(OWNER);
    }

    // ------------------------------------------------------------------ plumbing

    private void start(int leaseMs) throws IOException, MoosengException {
        master = new ScriptedLeader(leaseMs);
        client = MoosengClient.connect(ClientOptions.builder().master("127.0.0.1", master.port())
                .credentials(UserCredentials.root()).session(new SessionOptions(true, 0, "test", "/mnt/test"))
                .failoverTimeoutMs(5_000).build());
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (!condition.getAsBoolean()) {
            assertThat(Instant.now()).as("condition not met in time").isBefore(deadline);
            Thread.sleep(20);
        }
    }

    /** Sessions and locks only: every lock is granted under the current term, and recorded. */
    static final class ScriptedLeader extends MasterClientServiceGrpc.MasterClientServiceImplBase
            implements AutoCloseable {
        static final long SESSION_ID = 42;
        final AtomicLong term = new AtomicLong(1);
        final AtomicInteger renewals = new AtomicInteger();
        /** Every lock request, as "[reclaim ]call inode/owner TYPE[ start+length[ pid p]]". */
        final List<String> received = new CopyOnWriteArrayList<>();
        final List<Long> releasedOwners = new CopyOnWriteArrayList<>();
        /** Every release, as "inode flags". */
        final List<String> releases = new CopyOnWriteArrayList<>();
        /** Every ReclaimOpens, as its "inode x count" entries. */
        final List<List<String>> openReclaims = new CopyOnWriteArrayList<>();
        /** Each term a renewal said reclaim complete for, with how many ReclaimOpens had come by then. */
        final Map<Long, Integer> reclaimCompleteAfterOpens = new ConcurrentHashMap<>();
        /** Each term a renewal said reclaim complete for, with how many lock requests had come by then. */
        final Map<Long, Integer> reclaimCompleteSaid = new ConcurrentHashMap<>();
        volatile Predicate<LockRequest> refuseReclaim = r -> false;
        volatile Status refusal = Status.EAGAIN;
        volatile boolean refuseAll;
        private final int leaseMs;
        private final Server server;

        ScriptedLeader(int leaseMs) throws IOException {
            this.leaseMs = leaseMs;
            this.server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()).addService(this).build()
                    .start();
        }

        int port() {
            return server.getPort();
        }

        @Override
        public void clusterInfo(ClusterInfoRequest r, StreamObserver<ClusterInfoReply> out) {
            reply(out, ClusterInfoReply.newBuilder().setClusterId("scripted").build());
        }

        @Override
        public void openSession(OpenSessionRequest r, StreamObserver<SessionReply> out) {
            reply(out, SessionReply.newBuilder().setSession(SessionInfo.newBuilder().setSessionId(SESSION_ID)
                    .setLeaseMs(leaseMs)).setLeaderTerm(term.get()).build());
        }

        @Override
        public void renewSession(SessionRequest r, StreamObserver<RenewSessionReply> out) {
            renewals.incrementAndGet();
            reclaimCompleteSaid.putIfAbsent(r.getReclaimCompleteTerm(), received.size());
            reclaimCompleteAfterOpens.putIfAbsent(r.getReclaimCompleteTerm(), openReclaims.size());
            reply(out, RenewSessionReply.newBuilder().setLeaderTerm(term.get()).build());
        }

        @Override
        public void listSessions(ListSessionsRequest r, StreamObserver<ListSessionsReply> out) {
            reply(out, ListSessionsReply.getDefaultInstance());
        }

        @Override
        public void closeSession(SessionRequest r, StreamObserver<StatusReply> out) {
            reply(out, StatusReply.getDefaultInstance());
        }

        @Override
        public void releaseFile(ReleaseFileRequest r, StreamObserver<StatusReply> out) {
            releasedOwners.add(r.getLockOwner());
            releases.add(r.getInode() + " " + r.getFlags());
            reply(out, StatusReply.getDefaultInstance());
        }

        /** Every read-only open is held by the leader, under the current term. */
        @Override
        public void openFile(OpenFileRequest r, StreamObserver<AttrReply> out) {
            reply(out, AttrReply.newBuilder().setAttr(Attr.newBuilder().setInode(r.getInode())
                    .setType(FileType.REGULAR).setMode(0644).setNlink(1)).setLeaderHeld(r.getFlags() == 1)
                    .setLeaderTerm(term.get()).build());
        }

        @Override
        public void reclaimOpens(ReclaimOpensRequest r, StreamObserver<RenewSessionReply> out) {
            openReclaims.add(r.getOpensList().stream().map(o -> o.getInode() + "x" + o.getCount()).sorted().toList());
            reply(out, RenewSessionReply.newBuilder().setLeaderTerm(term.get()).build());
        }

        @Override
        public void getLock(LockRequest r, StreamObserver<LockReply> out) {
            answer(r, "getlk", out);
        }

        @Override
        public void setLock(LockRequest r, StreamObserver<LockReply> out) {
            answer(r, "setlk", out);
        }

        @Override
        public void flock(LockRequest r, StreamObserver<LockReply> out) {
            answer(r, "flock", out);
        }

        private void answer(LockRequest r, String call, StreamObserver<LockReply> out) {
            received.add(describe(call, r));
            boolean refused = refuseAll || (r.getReclaim() && refuseReclaim.test(r));
            LockReply.Builder reply = LockReply.newBuilder().setLeaderTerm(term.get())
                    .setStatus(refused ? (refuseAll ? Status.EAGAIN : refusal).code() : 0);
            if (call.equals("getlk")) {
                reply.setType(org.mooseng.proto.LockType.LOCK_UNLOCK);
            }
            reply(out, reply.build());
        }

        private static String describe(String call, LockRequest r) {
            StringBuilder s = new StringBuilder(r.getReclaim() ? "reclaim " : "").append(call).append(' ')
                    .append(r.getInode()).append('/').append(r.getLockOwner()).append(' ')
                    .append(LockType.from(r.getType()));
            if (!call.equals("flock")) {
                s.append(' ').append(r.getStart()).append('+').append(r.getLength());
                if (r.getReclaim()) {
                    s.append(" pid ").append(r.getPid());
                }
            }
            return s.toString();
        }

        private static <T> void reply(StreamObserver<T> out, T reply) {
            out.onNext(reply);
            out.onCompleted();
        }

        @Override
        public void close() {
            server.shutdownNow();
            try {
                server.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
