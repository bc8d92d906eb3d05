package org.mooseng.master.chunks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.meta.MetaStore;
import org.mooseng.proto.ChunkRef;
import org.mooseng.proto.ChunkReport;
import org.mooseng.proto.ChunkWriteBeginOp;
import org.mooseng.proto.CreateOp;
import org.mooseng.proto.Credentials;
import org.mooseng.proto.FileType;
import org.mooseng.proto.FormatOp;
import org.mooseng.proto.MetaOp;
import org.mooseng.proto.MetaResult;
import org.mooseng.proto.Timespec;

class ChunkHealthTest {
    @TempDir
    Path dir;
    private MetaStore store;
    private long index;
    private final ChunkRegistry registry = new ChunkRegistry(() -> 1_000_000L, 10_000);
    private final AtomicBoolean leader = new AtomicBoolean(true);
    private ChunkHealth health;

    @BeforeEach
    void open() throws Exception {
        store = MetaStore.open(dir, 1_000);
        apply(MetaOp.newBuilder().setFormat(FormatOp.newBuilder().setClusterId("c1")));
        health = new ChunkHealth(store, registry, leader::get, () -> 42L);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void countsChunksBelowGoalAndChunksWithoutValidReplicaOnlyWhenRefreshed() {
        long inode = apply(MetaOp.newBuilder().setCreate(CreateOp.newBuilder().setParent(1).setName("f")
                .setType(FileType.REGULAR).setMode(0644))).getAttr().getInode();
        ChunkRef full = writeBegin(inode, 0);
        ChunkRef underGoal = writeBegin(inode, 1);
        writeBegin(inode, 2); // no replica anywhere: missing
        ChunkRef stale = writeBegin(inode, 3);
        registry.register("a", "h", 1, 100, 50, List.of(report(full), report(underGoal),
                ChunkReport.newBuilder().setChunkId(stale.getChunkId()).setVersion(stale.getVersion() - 1).build()));
        registry.register("b", "h", 2, 100, 50, List.of(report(full)));

        assertThat(health.last()).isEqualTo(new ChunkHealth.Counts(0, 0, 0));
        health.refresh();

        // the stale copy of chunk 3 counts as no copy at all
        assertThat(health.last()).isEqualTo(new ChunkHealth.Counts(1, 2, 42));
    }

    @Test
    void aFollowerReportsNothing() {
        long inode = apply(MetaOp.newBuilder().setCreate(CreateOp.newBuilder().setParent(1).setName("f")
                .setType(FileType.REGULAR).setMode(0644))).getAttr().getInode();
        writeBegin(inode, 0);
        leader.set(false);

        health.refresh();

        assertThat(health.last().computedAtMillis()).isZero();
        assertThat(health.last().missing()).isZero();
    }

    private ChunkRef writeBegin(long inode, long chunkIndex) {
        return apply(MetaOp.newBuilder().setChunkWriteBegin(ChunkWriteBeginOp.newBuilder().setInode(inode)
                .setChunkIndex(chunkIndex))).getChunk();
    }

    private MetaResult apply(MetaOp.Builder op) {
        MetaResult result = store.apply(++index, op.setCred(Credentials.newBuilder().setUid(0).setGid(0))
                .setNow(Timespec.newBuilder().setSeconds(1_700_000_000L)).build());
        assertThat(result.getStatus()).as(result.getMessage()).isZero();
        return result;
    }

    private static ChunkReport report(ChunkRef chunk) {
        return ChunkReport.newBuilder().setChunkId(chunk.getChunkId()).setVersion(chunk.getVersion()).build();
    }
}
