package org.mooseng.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mooseng.meta.TestNamespace.ALICE;
import static org.mooseng.meta.TestNamespace.EINVAL;
import static org.mooseng.meta.TestNamespace.EISDIR;
import static org.mooseng.meta.TestNamespace.ENOENT;
import static org.mooseng.meta.TestNamespace.ROOT;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.common.Layout;
import org.mooseng.meta.NamespaceReader.ChunkRecord;
import org.mooseng.proto.ChunkRef;
import org.mooseng.proto.MetaResult;

class ChunkOpsTest {
    static final long CHUNK = Layout.CHUNK_SIZE_BYTES;

    @TempDir
    Path dir;
    TestNamespace ns;

    @BeforeEach
    void open() throws Exception {
        ns = TestNamespace.formatted(dir);
    }

    @AfterEach
    void close() {
        ns.close();
    }

    @Test
    void firstWriteBeginAllocatesChunkAtVersionOne() {
        long f = ns.fileId(ALICE, ROOT, "f");
        long next = ns.store.nextChunkId();
        MetaResult r = ns.expectOk(ns.writeBegin(f, 3));
        ChunkRef c = r.getChunk();
        assertThat(c.getChunkId()).isEqualTo(next);
        assertThat(c.getVersion()).isEqualTo(1);
        assertThat(c.getPreviousVersion()).isZero();
        assertThat(c.getChunkIndex()).isEqualTo(3);
        assertThat(r.getAttr().getGoal()).isEqualTo(2);
        assertThat(ns.store.nextChunkId()).isEqualTo(next + 1);
        assertThat(ns.store.chunkAt(f, 3)).hasValueSatisfying(ref -> assertThat(ref.getChunkId()).isEqualTo(next));
        assertThat(ns.store.chunkAt(f, 0)).isEmpty();
        assertThat(ns.store.chunkExists(next)).isTrue();
        assertThat(ns.store.stats().chunks()).isEqualTo(1);
    }

    @Test
    void laterWriteBeginBumpsVersionOfTheSameChunk() {
        long f = ns.fileId(ALICE, ROOT, "f");
        long id = ns.expectOk(ns.writeBegin(f, 0)).getChunk().getChunkId();
        ChunkRef again = ns.expectOk(ns.writeBegin(f, 0)).getChunk();
        assertThat(again.getChunkId()).isEqualTo(id);
        assertThat(again.getVersion()).isEqualTo(2);
        assertThat(again.getPreviousVersion()).isEqualTo(1);
        assertThat(ns.store.stats().chunks()).isEqualTo(1);
    }

    @Test
    void writeBeginOnDirectoryIsEisdirOnSymlinkEinvalOnMissingEnoent() {
        long d = ns.dirId(ALICE, ROOT, "d");
        long l = ns.expectOk(ns.symlink(ALICE, ROOT, "l", "d")).getAttr().getInode();
        assertThat(ns.writeBegin(d, 0).getStatus()).isEqualTo(EISDIR);
        assertThat(ns.writeBegin(l, 0).getStatus()).isEqualTo(EINVAL);
        assertThat(ns.writeBegin(999, 0).getStatus()).isEqualTo(ENOENT);
    }

    @Test
    void writeEndGrowsButNeverShrinksAndSetsMtime() {
        long f = ns.fileId(ALICE, ROOT, "f");
        ns.tick();
        assertThat(ns.expectOk(ns.writeEnd(f, 1000)).getAttr().getSize()).isEqualTo(1000);
        assertThat(ns.attr(f).getMtime()).isEqualTo(ns.now);
        assertThat(ns.expectOk(ns.writeEnd(f, 10)).getAttr().getSize()).isEqualTo(1000);
        assertThat(ns.store.stats().totalFileBytes()).isEqualTo(1000);
    }

    @Test
    void truncateReleasesWholeChunksAndBumpsTheCutChunk() {
        long f = ns.fileId(ALICE, ROOT, "f");
        long c0 = ns.expectOk(ns.writeBegin(f, 0)).getChunk().getChunkId();
        long c1 = ns.expectOk(ns.writeBegin(f, 1)).getChunk().getChunkId();
        long c2 = ns.expectOk(ns.writeBegin(f, 2)).getChunk().getChunkId();
        ns.expectOk(ns.writeEnd(f, 3 * CHUNK));
        MetaResult r = ns.expectOk(ns.truncate(ALICE, f, CHUNK + 5));
        assertThat(r.getReleasedChunksList()).containsExactly(c2);
        assertThat(r.getChunk().getChunkId()).isEqualTo(c1);
        assertThat(r.getChunk().getVersion()).isEqualTo(2);
        assertThat(r.getChunk().getPreviousVersion()).isEqualTo(1);
        assertThat(r.getChunk().getChunkIndex()).isEqualTo(1);
        assertThat(ns.store.chunksOf(f)).extracting(ChunkRef::getChunkId).containsExactly(c0, c1);
        assertThat(ns.store.chunkExists(c2)).isFalse();
        assertThat(ns.store.stats().chunks()).isEqualTo(2);
        assertThat(ns.store.stats().totalFileBytes()).isEqualTo(CHUNK + 5);
    }

    @Test
    void truncateOnAChunkBoundaryBumpsNothing() {
        long f = ns.fileId(ALICE, ROOT, "f");
        ns.expectOk(ns.writeBegin(f, 0));
        long c1 = ns.expectOk(ns.writeBegin(f, 1)).getChunk().getChunkId();
        ns.expectOk(ns.writeEnd(f, 2 * CHUNK));
        MetaResult r = ns.expectOk(ns.truncate(ALICE, f, CHUNK));
        assertThat(r.getReleasedChunksList()).containsExactly(c1);
        assertThat(r.hasChunk()).isFalse();
        assertThat(ns.store.chunkAt(f, 0).orElseThrow().getVersion()).isEqualTo(1);
    }

    @Test
    void forEachChunkReportsEveryChunkWithItsFilesGoal() {
        long a = ns.fileId(ALICE, ROOT, "a");
        long b = ns.fileId(ALICE, ROOT, "b");
        ns.expectOk(ns.setGoal(ALICE, b, 5, false));
        for (int i = 0; i < 5000; i++) {
            ns.expectOk(ns.writeBegin(i % 2 == 0 ? a : b, i));
        }
        List<ChunkRecord> all = new ArrayList<>();
        ns.store.forEachChunk(all::add);
        assertThat(all).hasSize(5000);
        assertThat(all).filteredOn(c -> c.inode() == b).allSatisfy(c -> assertThat(c.goal()).isEqualTo(5));
        assertThat(all).filteredOn(c -> c.inode() == a).allSatisfy(c -> assertThat(c.goal()).isEqualTo(2));
        assertThat(all).extracting(ChunkRecord::chunkId).doesNotHaveDuplicates();
    }

    @Test
    void chunkLookupGivesTheCurrentVersionOwnerAndGoalAndNothingOnceReleased() throws Exception {
        long f = ns.fileId(ALICE, ROOT, "f");
        ns.expectOk(ns.setGoal(ALICE, f, 3, false));
        long c0 = ns.expectOk(ns.writeBegin(f, 0)).getChunk().getChunkId();
        long c1 = ns.expectOk(ns.writeBegin(f, 1)).getChunk().getChunkId();
        ns.expectOk(ns.writeBegin(f, 1));
        ns.expectOk(ns.writeEnd(f, 2 * CHUNK));

        assertThat(ns.store.chunk(c0)).contains(new ChunkRecord(c0, 1, f, 0, 3));
        assertThat(ns.store.chunk(c1)).contains(new ChunkRecord(c1, 2, f, 1, 3));
        assertThat(ns.store.chunk(ns.store.nextChunkId())).isEmpty();

        ns.expectOk(ns.truncate(ALICE, f, CHUNK));
        assertThat(ns.store.chunk(c1)).isEmpty();
        assertThat(ns.store.chunk(c0)).contains(new ChunkRecord(c0, 1, f, 0, 3));

        // A freshly opened store (empty cache, nothing walked) answers the same from disk.
        ns.close();
        ns = TestNamespace.open(dir);
        assertThat(ns.store.chunk(c0)).contains(new ChunkRecord(c0, 1, f, 0, 3));
        ns.expectOk(ns.unlink(ALICE, ROOT, "f"));
        assertThat(ns.store.chunk(c0)).isEmpty();
    }

    @Test
    void aWriteRaiseRecordsItsChainAndTheLowestVersionAMemberMayHold() throws Exception {
        long f = ns.fileId(ALICE, ROOT, "f");
        long id = ns.expectOk(ns.writeBegin(f, 0, 0, "a", "b")).getChunk().getChunkId();
        ChunkRaise first = ns.store.chunk(id).orElseThrow().raise();
        assertThat(first).as("a new chunk records its chain, but no copies below it")
                .isEqualTo(new ChunkRaise(1, List.of("a", "b"), -1));
        assertThat(first.holdsCurrentData("a", 1, 1)).isTrue();
        assertThat(first.missedOnlyThisRaise("a", 0, 1)).isFalse();

        ns.expectOk(ns.writeBegin(f, 0, 1, "a", "b"));
        assertThat(ns.store.chunk(id).orElseThrow().raise()).isEqualTo(new ChunkRaise(1, List.of("a", "b"), -1));
        // Raised again under a lease whose base is still 1 (b failed and was excluded): a copy
        // at 1 on a may still hold everything acknowledged, one at 2 on b may not.
        ns.expectOk(ns.writeBegin(f, 0, 1, "a"));
        ChunkRecord chunk = ns.store.chunk(id).orElseThrow();
        assertThat(chunk.version()).isEqualTo(3);
        assertThat(chunk.raise()).isEqualTo(new ChunkRaise(1, List.of("a"), -1));
        assertThat(chunk.raise().holdsCurrentData("a", 1, 3)).isTrue();
        assertThat(chunk.raise().holdsCurrentData("b", 2, 3)).isFalse();

        // Survives a reopen: the record is part of the stored slot.
        ns.close();
        ns = TestNamespace.open(dir);
        assertThat(ns.store.chunk(id).orElseThrow().raise()).isEqualTo(new ChunkRaise(1, List.of("a"), -1));
    }

    @Test
    void aRaiseNeverAcceptsCopiesBelowTheFloorOfTheRaiseBeforeIt() {
        long f = ns.fileId(ALICE, ROOT, "f");
        long id = ns.expectOk(ns.writeBegin(f, 0, 0, "a", "b")).getChunk().getChunkId();
        ns.expectOk(ns.writeBegin(f, 0, 1, "a", "b"));
        ns.expectOk(ns.writeBegin(f, 0, 1, "a", "b"));
        // A base below what the namespace already rules out is lifted to its floor.
        ns.expectOk(ns.writeBegin(f, 0, 0, "a"));
        assertThat(ns.store.chunk(id).orElseThrow().raise().floorVersion()).isEqualTo(1);
        // A raise recorded without a chain (an old log entry) accepts nothing below its version,
        // and so nothing below it for the next raise either.
        ns.expectOk(ns.writeBegin(f, 0));
        assertThat(ns.store.chunk(id).orElseThrow().raise()).isEqualTo(ChunkRaise.NONE);
        ns.expectOk(ns.writeBegin(f, 0, 1, "a"));
        assertThat(ns.store.chunk(id).orElseThrow().raise()).isEqualTo(new ChunkRaise(5, List.of("a"), -1));
    }

    @Test
    void aTruncationRecordsTheCutSoCopiesThatMissedItAreRepairableButNotCurrent() {
        long f = ns.fileId(ALICE, ROOT, "f");
        long id = ns.expectOk(ns.writeBegin(f, 0, 0, "a", "b")).getChunk().getChunkId();
        ns.expectOk(ns.writeEnd(f, 1000));
        ns.expectOk(ns.truncate(ALICE, f, 300, "a", "b"));
        ChunkRecord cut = ns.store.chunk(id).orElseThrow();
        assertThat(cut.version()).isEqualTo(2);
        assertThat(cut.raise()).isEqualTo(new ChunkRaise(1, List.of("a", "b"), 300));
        assertThat(cut.raise().holdsCurrentData("a", 1, 2)).as("still holds the bytes past the cut").isFalse();
        assertThat(cut.raise().missedOnlyThisRaise("a", 1, 2)).isTrue();

        // A write raise after the cut never counts a copy that missed the cut.
        ns.expectOk(ns.writeBegin(f, 0, 1, "a", "b"));
        ChunkRecord after = ns.store.chunk(id).orElseThrow();
        assertThat(after.raise()).isEqualTo(new ChunkRaise(2, List.of("a", "b"), -1));
        assertThat(after.raise().holdsCurrentData("a", 1, 3)).isFalse();
        assertThat(after.raise().holdsCurrentData("a", 2, 3)).isTrue();
    }
}
