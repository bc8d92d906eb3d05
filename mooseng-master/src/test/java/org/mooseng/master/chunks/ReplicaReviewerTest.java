package org.mooseng.master.chunks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.meta.MetaStore;
import org.mooseng.meta.NamespaceReader.ChunkRecord;
import org.mooseng.proto.ChunkRaiseOrder;
import org.mooseng.proto.ChunkReport;
import org.mooseng.proto.ChunkWriteBeginOp;
import org.mooseng.proto.CreateOp;
import org.mooseng.proto.Credentials;
import org.mooseng.proto.FileType;
import org.mooseng.proto.FormatOp;
import org.mooseng.proto.MetaOp;
import org.mooseng.proto.MetaResult;
import org.mooseng.proto.Timespec;
import org.mooseng.proto.UnlinkOp;

/**
 * Replica validity judged against the namespace store alone: each test opens a store that
 * already holds its chunks, and nothing tells the registry any version, so a reviewer that
 * relied on versions learned by a leader-takeover walk would keep every replica.
 */
class ReplicaReviewerTest {
    private static final Credentials ROOT = Credentials.newBuilder().setUid(0).setGid(0).build();
    private static final long ROOT_INODE = 1;
    private static final long TIMEOUT_MS = 10_000;

    @TempDir
    Path dir;
    private MetaStore store;
    private long index;
    private final AtomicLong nowMillis = new AtomicLong(1_000_000);
    private final ChunkRegistry registry = new ChunkRegistry(nowMillis::get, TIMEOUT_MS);
    private final ReplicaReviewer reviewer = new ReplicaReviewer(registry);

    @BeforeEach
    void open() throws Exception {
        store = MetaStore.open(dir, 1_000);
        apply(MetaOp.newBuilder().setFormat(FormatOp.newBuilder().setClusterId("c1")));
    }

    @AfterEach
    void close() {
        store.close();
    }

    private MetaResult apply(MetaOp.Builder op) {
        MetaResult result = store.apply(++index, op.setCred(ROOT)
                .setNow(Timespec.newBuilder().setSeconds(1_700_000_000L)).build());
        assertThat(result.getStatus()).as(result.getMessage()).isZero();
        return result;
    }

    private long createFile(String name) {
        return apply(MetaOp.newBuilder().setCreate(CreateOp.newBuilder().setParent(ROOT_INODE).setName(name)
                .setType(FileType.REGULAR).setMode(0644))).getAttr().getInode();
    }

    private MetaResult writeBegin(long inode) {
        return apply(MetaOp.newBuilder().setChunkWriteBegin(ChunkWriteBeginOp.newBuilder().setInode(inode)));
    }

    /** Closes and reopens the store: an empty cache and no state but what is on disk. */
    private void reopen() throws Exception {
        store.close();
        store = MetaStore.open(dir, 1_000);
    }

    private static ChunkReport report(long chunkId, int version) {
        return ChunkReport.newBuilder().setChunkId(chunkId).setVersion(version).build();
    }

    private static List<Long> ids(List<ChunkReport> reports) {
        return reports.stream().map(ChunkReport::getChunkId).toList();
    }

    @Test
    void replicaWithAnOldVersionIsInvalidAndDeletedWhileTheCurrentOneIsValidAndKept() throws Exception {
        long inode = createFile("f");
        long chunkId = writeBegin(inode).getChunk().getChunkId();
        int current = writeBegin(inode).getChunk().getVersion();
        assertThat(current).isEqualTo(2);
        reopen();

        registry.register("old", "h1", 1, 100, 50, List.of(report(chunkId, current - 1)));
        registry.register("new", "h2", 1, 100, 50, List.of(report(chunkId, current)));

        int version = store.chunk(chunkId).orElseThrow().version();
        assertThat(registry.replicas(chunkId, version))
                .extracting(r -> r.server().serverId(), ReplicaView::valid)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("old", false),
                        org.assertj.core.groups.Tuple.tuple("new", true));
        assertThat(ids(reviewer.deletionsFor("new", 10, store))).isEmpty();
        assertThat(reviewer.deletionsFor("old", 10, store)).containsExactly(report(chunkId, current - 1));
        assertThat(registry.versionOn("old", chunkId)).isEmpty();
        assertThat(registry.versionOn("new", chunkId)).hasValue(current);
    }

    @Test
    void staleReplicaIsKeptWhileNoValidCopyExistsElsewhere() throws Exception {
        long inode = createFile("f");
        long chunkId = writeBegin(inode).getChunk().getChunkId();
        writeBegin(inode);
        reopen();

        registry.register("old", "h1", 1, 100, 50, List.of(report(chunkId, 1)));
        registry.register("older", "h2", 1, 100, 50, List.of(report(chunkId, 1)));
        assertThat(reviewer.deletionsFor("old", 10, store)).isEmpty();
        assertThat(reviewer.deletionsFor("older", 10, store)).isEmpty();

        // The valid copy appears: only then do the stale ones go.
        registry.register("new", "h3", 1, 100, 50, List.of(report(chunkId, 2)));
        registry.reviewAll();
        assertThat(ids(reviewer.deletionsFor("old", 10, store))).containsExactly(chunkId);
        assertThat(ids(reviewer.deletionsFor("new", 10, store))).isEmpty();
    }

    @Test
    void aChainMemberThatMissedOnlyTheLastRaiseIsRaisedInPlaceWhileAnExcludedOneIsDeleted() throws Exception {
        long inode = createFile("f");
        long chunkId = writeBegin(inode).getChunk().getChunkId();
        // Raised on a and b at version 2; c (left out of the chain) and a, b never got a frame.
        apply(MetaOp.newBuilder().setChunkWriteBegin(ChunkWriteBeginOp.newBuilder().setInode(inode)
                .setBaseVersion(1).addChain("a").addChain("b")));
        reopen();
        registry.register("a", "h1", 1, 100, 50, List.of(report(chunkId, 1)));
        registry.register("b", "h2", 1, 100, 50, List.of(report(chunkId, 1)));
        registry.register("c", "h3", 1, 100, 50, List.of(report(chunkId, 1)));

        ChunkRecord chunk = store.chunk(chunkId).orElseThrow();
        assertThat(registry.replicas(chunkId, chunk.version(), chunk.raise()))
                .extracting(r -> r.server().serverId(), ReplicaView::valid)
                .containsExactlyInAnyOrder(tuple("a", true), tuple("b", true), tuple("c", false));
        ReplicaReviewer.Orders forA = reviewer.review("a", 10, store);
        assertThat(forA.deletions()).isEmpty();
        assertThat(forA.raises()).containsExactly(ChunkRaiseOrder.newBuilder().setChunkId(chunkId)
                .setFromVersion(1).setVersion(2).setTruncateToBytes(-1).build());
        ReplicaReviewer.Orders forC = reviewer.review("c", 10, store);
        assertThat(forC.raises()).isEmpty();
        assertThat(forC.deletions()).containsExactly(report(chunkId, 1));
    }

    @Test
    void orphanIsDeletedButNeverAnIdThisClusterDidNotAllocateNorANewerCopy() throws Exception {
        long kept = writeBegin(createFile("kept")).getChunk().getChunkId();
        long orphan = writeBegin(createFile("gone")).getChunk().getChunkId();
        apply(MetaOp.newBuilder().setUnlink(UnlinkOp.newBuilder().setParent(ROOT_INODE).setName("gone")));
        long foreign = store.nextChunkId();
        reopen();

        registry.register("cs", "h", 1, 100, 50, List.of(report(kept, 7), report(orphan, 1), report(foreign, 1)));
        assertThat(ids(reviewer.deletionsFor("cs", 10, store))).containsExactly(orphan);
        assertThat(registry.versionOn("cs", kept)).hasValue(7);
        assertThat(registry.versionOn("cs", foreign)).hasValue(1);
    }
}
