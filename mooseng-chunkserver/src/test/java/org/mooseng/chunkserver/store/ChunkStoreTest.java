package org.mooseng.chunkserver.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.common.ChunkId;
import org.mooseng.common.ChunkVersion;
import org.mooseng.common.Layout;
import org.mooseng.common.Status;
import org.mooseng.common.StatusException;

class ChunkStoreTest {
    private static final ChunkId ID = new ChunkId(0xAB);
    private static final ChunkVersion V0 = new ChunkVersion(0);
    private static final ChunkVersion V1 = new ChunkVersion(1);
    private static final ChunkVersion V2 = new ChunkVersion(2);
    private static final ChunkVersion V3 = new ChunkVersion(3);
    private static final ChunkVersion V5 = new ChunkVersion(5);
    private static final int BLOCK = Layout.BLOCK_SIZE_BYTES;

    @TempDir
    Path dir;

    private final List<String> events = new ArrayList<>();
    private final ChunkStoreListener recorder = new ChunkStoreListener() {
        @Override
        public void changed(StoredChunk chunk) {
            events.add("changed " + chunk.id().hex() + " " + chunk.version());
        }

        @Override
        public void removed(ChunkId id, ChunkVersion version, boolean damaged) {
            events.add((damaged ? "damaged " : "deleted ") + id.hex() + " " + version);
        }
    };

    private ChunkStore open() throws IOException {
        return ChunkStore.open(dir, recorder);
    }

    private static byte[] random(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static byte[] slice(byte[] bytes, int from, int length) {
        return java.util.Arrays.copyOfRange(bytes, from, from + length);
    }

    @Test
    void writesAtOffsetsReadBackWithHolesAsZeros() throws Exception {
        ChunkStore store = open();
        byte[] first = random(100_000, 1);
        byte[] far = random(3_000, 2);
        store.write(ID, V1, V0, 10, ByteBuffer.wrap(first));
        store.write(ID, V1, V0, 5 * BLOCK + 7, ByteBuffer.wrap(far));

        byte[] all = store.read(ID, V1, 0, 5 * BLOCK + 7 + 3_000 + 50);
        assertThat(slice(all, 0, 10)).containsOnly(0);
        assertThat(slice(all, 10, first.length)).isEqualTo(first);
        assertThat(slice(all, 10 + first.length, 5 * BLOCK + 7 - 10 - first.length)).containsOnly(0);
        assertThat(slice(all, 5 * BLOCK + 7, far.length)).isEqualTo(far);
        assertThat(slice(all, 5 * BLOCK + 7 + far.length, 50)).as("past the stored length").containsOnly(0);
        assertThat(store.get(ID).lengthBytes()).isEqualTo(5 * BLOCK + 7 + 3_000);
        assertThat(store.read(ID, V1, 20 * BLOCK, 10)).containsOnly(0);
    }

    @Test
    void partialBlockOverwriteKeepsTheRestOfTheBlockAndVerifies() throws Exception {
        ChunkStore store = open();
        byte[] base = random(3 * BLOCK, 3);
        store.write(ID, V1, V0, 0, ByteBuffer.wrap(base));
        byte[] patch = random(BLOCK, 4);
        store.write(ID, V1, V1, BLOCK / 2, ByteBuffer.wrap(patch));

        byte[] expected = base.clone();
        System.arraycopy(patch, 0, expected, BLOCK / 2, BLOCK);
        assertThat(store.read(ID, V1, 0, 3 * BLOCK)).isEqualTo(expected);
        assertThat(store.read(ID, V1, BLOCK / 2 + 5, 10)).isEqualTo(slice(expected, BLOCK / 2 + 5, 10));
    }

    @Test
    void versionIsRaisedFromBaseAndReadsOfOtherVersionsAreStale() throws Exception {
        ChunkStore store = open();
        store.write(ID, V1, V0, 0, ByteBuffer.wrap(new byte[] {1}));
        store.write(ID, V2, V1, 1, ByteBuffer.wrap(new byte[] {2}));
        assertThat(store.get(ID).version()).isEqualTo(V2);
        assertThat(store.read(ID, V2, 0, 2)).containsExactly(1, 2);

        assertThatThrownBy(() -> store.read(ID, V1, 0, 1)).isInstanceOf(StatusException.class)
                .extracting(e -> ((StatusException) e).status()).isEqualTo(Status.ESTALE);
        assertThat(events).containsExactly("changed 00000000000000AB v1", "changed 00000000000000AB v2");
    }

    @Test
    void replicaAnywhereFromBaseToVersionIsAcceptedAndRaised() throws Exception {
        ChunkStore store = open();
        store.write(ID, V2, V0, 0, ByteBuffer.wrap(new byte[] {1}));
        // a chain whose members were left at v1..v5: this one, at v2, lies inside
        store.write(ID, V5, V1, 1, ByteBuffer.wrap(new byte[] {2}));
        assertThat(store.get(ID)).isEqualTo(new StoredChunk(ID, V5, 2));
        // at the upper end: already at the write's version
        store.write(ID, V5, V3, 2, ByteBuffer.wrap(new byte[] {3}));
        // at the lower end: exactly at the base
        store.truncate(ID, new ChunkVersion(6), V5, 2);
        assertThat(store.get(ID)).isEqualTo(new StoredChunk(ID, new ChunkVersion(6), 2));
        // base 0 covers every replica up to the version
        store.write(ID, new ChunkVersion(7), V0, 2, ByteBuffer.wrap(new byte[] {4}));
        assertThat(store.read(ID, new ChunkVersion(7), 0, 3)).containsExactly(1, 2, 4);
        assertThat(events).containsExactly("changed 00000000000000AB v2", "changed 00000000000000AB v5",
                "changed 00000000000000AB v6", "changed 00000000000000AB v7");
    }

    @Test
    void aReadNamingARangeIsServedByAnyVersionInsideIt() throws Exception {
        ChunkStore store = open();
        store.write(ID, V2, V0, 0, ByteBuffer.wrap(new byte[] {1, 2}));
        assertThat(store.read(ID, V1, V3, 0, 2)).containsExactly(1, 2);
        assertThat(store.read(ID, V2, V3, 0, 2)).containsExactly(1, 2);
        assertThatThrownBy(() -> store.read(ID, V3, V5, 0, 1))
                .isInstanceOfSatisfying(StatusException.class, e -> {
                    assertThat(e.status()).isEqualTo(Status.ESTALE);
                    assertThat(e.detail()).isEqualTo("chunk 00000000000000AB v5: replica is v2, not from v3");
                });
        assertThatThrownBy(() -> store.read(ID, V0, V1, 0, 1))
                .extracting(e -> ((StatusException) e).status()).isEqualTo(Status.ESTALE);
    }

    @Test
    void aRaiseOrderMovesOnlyACopyAtExactlyItsFromVersionAndCutsForATruncation() throws Exception {
        ChunkStore store = open();
        store.write(ID, V2, V0, 0, ByteBuffer.wrap(new byte[] {1, 2, 3, 4}));

        assertThat(store.raise(ID, V1, V3, -1)).as("copy is not at the order's from version").isFalse();
        assertThat(store.raise(ID, V2, V3, -1)).isTrue();
        assertThat(store.get(ID)).isEqualTo(new StoredChunk(ID, V3, 4));
        assertThat(store.read(ID, V3, 0, 4)).containsExactly(1, 2, 3, 4);
        assertThat(store.raise(ID, V2, V3, -1)).as("a repeated order does nothing").isFalse();

        assertThat(store.raise(ID, V3, new ChunkVersion(4), 2)).isTrue();
        assertThat(store.get(ID)).isEqualTo(new StoredChunk(ID, new ChunkVersion(4), 2));
        assertThat(store.read(ID, new ChunkVersion(4), 0, 4)).containsExactly(1, 2, 0, 0);
        assertThat(store.raise(new ChunkId(0xCD), V1, V2, -1)).as("no copy here").isFalse();
        assertThatThrownBy(() -> store.raise(ID, V5, V5, -1)).isInstanceOf(StatusException.class);
        assertThat(events).containsExactly("changed 00000000000000AB v2", "changed 00000000000000AB v3",
                "changed 00000000000000AB v4");

        // Durable: a reopened store finds the raised header.
        ChunkStore reopened = open();
        assertThat(reopened.get(ID)).isEqualTo(new StoredChunk(ID, new ChunkVersion(4), 2));
    }

    @Test
    void replicaNewerThanTheWriteIsStaleLeaseAndUntouched() throws Exception {
        ChunkStore store = open();
        store.write(ID, V5, V0, 0, ByteBuffer.wrap(new byte[] {1}));

        assertThatThrownBy(() -> store.write(ID, new ChunkVersion(4), V2, 0, ByteBuffer.wrap(new byte[] {9})))
                .isInstanceOfSatisfying(StatusException.class, e -> {
                    assertThat(e.status()).isEqualTo(Status.ESTALE);
                    assertThat(e.detail()).startsWith("chunk 00000000000000AB v4: replica is v5, newer than the write's v4")
                            .contains("lease is outdated");
                });
        assertThatThrownBy(() -> store.truncate(ID, new ChunkVersion(4), V0, 0))
                .extracting(e -> ((StatusException) e).status()).isEqualTo(Status.ESTALE);
        assertThat(store.get(ID)).isEqualTo(new StoredChunk(ID, V5, 1));
        assertThat(store.read(ID, V5, 0, 1)).containsExactly(1);
    }

    @Test
    void replicaOlderThanTheBaseIsAnIoErrorAndUntouched() throws Exception {
        ChunkStore store = open();
        store.write(ID, V2, V0, 0, ByteBuffer.wrap(new byte[] {1}));

        assertThatThrownBy(() -> store.write(ID, new ChunkVersion(6), V3, 0, ByteBuffer.wrap(new byte[] {9})))
                .isInstanceOfSatisfying(StatusException.class, e -> {
                    assertThat(e.status()).isEqualTo(Status.EIO);
                    assertThat(e.detail()).isEqualTo("chunk 00000000000000AB v6: replica is v2, older than the write's base v3");
                });
        assertThatThrownBy(() -> store.truncate(ID, new ChunkVersion(6), V3, 0))
                .extracting(e -> ((StatusException) e).status()).isEqualTo(Status.EIO);
        assertThat(store.get(ID)).isEqualTo(new StoredChunk(ID, V2, 1));
        assertThat(store.read(ID, V2, 0, 1)).containsExactly(1);
        assertThat(events).containsExactly("changed 00000000000000AB v2");
    }

    @Test
    void withoutAReplicaOnlyBaseZeroCreates() throws Exception {
        ChunkStore store = open();
        ChunkId other = new ChunkId(7);
        assertThatThrownBy(() -> store.write(other, V2, V1, 0, ByteBuffer.wrap(new byte[1])))
                .isInstanceOf(StatusException.class).hasMessageContaining("no replica")
                .extracting(e -> ((StatusException) e).status()).isEqualTo(Status.ENOENT);
        assertThatThrownBy(() -> store.truncate(other, V2, V1, 0))
                .extracting(e -> ((StatusException) e).status()).isEqualTo(Status.ENOENT);
        assertThat(store.get(other)).isNull();
        assertThat(store.path(other)).doesNotExist();

        store.write(other, V2, V0, 0, ByteBuffer.wrap(new byte[] {5}));
        assertThat(store.get(other)).isEqualTo(new StoredChunk(other, V2, 1));
        assertThat(store.read(other, V2, 0, 1)).containsExactly(5);
    }

    @Test
    void truncateShrinksAndRegrowsWithZeros() throws Exception {
        ChunkStore store = open();
        byte[] data = random(2 * BLOCK + 100, 5);
        store.write(ID, V1, V0, 0, ByteBuffer.wrap(data));
        store.truncate(ID, V2, V1, BLOCK + 10);
        assertThat(store.get(ID)).isEqualTo(new StoredChunk(ID, V2, BLOCK + 10));
        store.truncate(ID, V2, V1, 2 * BLOCK + 100);

        byte[] back = store.read(ID, V2, 0, 2 * BLOCK + 100);
        assertThat(slice(back, 0, BLOCK + 10)).isEqualTo(slice(data, 0, BLOCK + 10));
        assertThat(slice(back, BLOCK + 10, BLOCK + 90)).containsOnly(0);
        assertThat(Files.size(store.path(ID))).isEqualTo(ChunkFileFormat.HEADER_BYTES + BLOCK + 10);
    }

    @Test
    void deleteRemovesTheFileOnlyForTheGivenVersion() throws Exception {
        ChunkStore store = open();
        store.write(ID, V1, V0, 0, ByteBuffer.wrap(new byte[10]));
        assertThat(store.delete(ID, V2)).isFalse();
        assertThat(store.delete(ID, V1)).isTrue();
        assertThat(store.get(ID)).isNull();
        assertThat(store.path(ID)).doesNotExist();
        assertThat(events).endsWith("deleted 00000000000000AB v1");
        assertThatThrownBy(() -> store.read(ID, V1, 0, 1))
                .extracting(e -> ((StatusException) e).status()).isEqualTo(Status.ENOENT);
    }

    @Test
    void restartRebuildsTheChunkList() throws Exception {
        ChunkStore store = open();
        store.write(ID, V1, V0, 0, ByteBuffer.wrap(new byte[300]));
        store.write(new ChunkId(0x1234), V3, V0, BLOCK, ByteBuffer.wrap(random(10, 6)));

        ChunkStore reopened = open();
        assertThat(reopened.chunks()).containsExactlyInAnyOrder(new StoredChunk(ID, V1, 300),
                new StoredChunk(new ChunkId(0x1234), V3, BLOCK + 10));
        assertThat(reopened.read(new ChunkId(0x1234), V3, BLOCK, 10)).isEqualTo(random(10, 6));
    }

    @Test
    void flippedByteIsDetectedOnReadAndTheReplicaMovedAside() throws Exception {
        ChunkStore store = open();
        store.write(ID, V3, V0, 0, ByteBuffer.wrap(random(13 * BLOCK, 7)));
        Path file = store.path(ID);
        flipByte(file, ChunkFileFormat.HEADER_BYTES + 12L * BLOCK + 99);

        assertThat(store.read(ID, V3, 0, 100)).as("untouched block still reads").hasSize(100);
        assertThatThrownBy(() -> store.read(ID, V3, 12L * BLOCK, 10)).isInstanceOf(StatusException.class)
                .hasMessageEndingWith("chunk 00000000000000AB v3: CRC mismatch in block 12")
                .extracting(e -> ((StatusException) e).status()).isEqualTo(Status.CHECKSUM_MISMATCH);
        assertThat(file).doesNotExist();
        assertThat(dir.resolve("damaged").resolve(file.getFileName())).exists();
        assertThat(store.get(ID)).isNull();
        assertThat(events).endsWith("damaged 00000000000000AB v3");
    }

    @Test
    void corruptBlockUnderAPartialWriteIsNotReChecksummed() throws Exception {
        ChunkStore store = open();
        store.write(ID, V1, V0, 0, ByteBuffer.wrap(random(BLOCK, 8)));
        flipByte(store.path(ID), ChunkFileFormat.HEADER_BYTES + 10);
        // the write takes the bytes; the block's CRC is updated for them, not summed over the damage
        store.write(ID, V1, V0, 100, ByteBuffer.wrap(new byte[5]));
        assertThatThrownBy(() -> store.read(ID, V1, 0, 10))
                .extracting(e -> ((StatusException) e).status()).isEqualTo(Status.CHECKSUM_MISMATCH);
        assertThat(store.get(ID)).isNull();
    }

    @Test
    void partialWritesAnywhereKeepEveryBlockReadableAsWritten() throws Exception {
        ChunkStore store = open();
        byte[] expected = new byte[3 * BLOCK + 777];
        Random random = new Random(21);
        for (int i = 0; i < 200; i++) {
            int offset = random.nextInt(expected.length - 1);
            int length = 1 + random.nextInt(Math.min(expected.length - offset, i % 10 == 0 ? 2 * BLOCK : 9000));
            byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            store.write(ID, V1, V0, offset, ByteBuffer.wrap(bytes));
            System.arraycopy(bytes, 0, expected, offset, length);
        }
        long written = store.get(ID).lengthBytes();
        byte[] got = store.read(ID, V1, 0, (int) written);
        assertThat(got).isEqualTo(java.util.Arrays.copyOf(expected, (int) written));
    }

    @Test
    void badHeaderAtStartIsQuarantinedAndNotListed() throws Exception {
        ChunkStore store = open();
        store.write(ID, V1, V0, 0, ByteBuffer.wrap(new byte[10]));
        store.write(new ChunkId(0x77), V1, V0, 0, ByteBuffer.wrap(new byte[10]));
        Path bad = store.path(ID);
        flipByte(bad, 17);

        ChunkStore reopened = open();
        assertThat(reopened.chunks()).extracting(StoredChunk::id).containsExactly(new ChunkId(0x77));
        assertThat(bad).doesNotExist();
        assertThat(dir.resolve("damaged").resolve(bad.getFileName())).exists();
    }

    @Test
    void fullDiskFailsWithEnospcAndKeepsTheOldData() throws Exception {
        AtomicLong budget = new AtomicLong(Long.MAX_VALUE);
        ChunkStore store = ChunkStore.open(dir,
                (path, options) -> new FullDiskChannel(FileChannel.open(path, options), budget), recorder);
        byte[] original = random(2 * BLOCK, 9);
        store.write(ID, V1, V0, 0, ByteBuffer.wrap(original));

        budget.set(BLOCK / 2);
        assertThatThrownBy(() -> store.write(ID, V2, V1, BLOCK, ByteBuffer.wrap(random(3 * BLOCK, 10))))
                .isInstanceOf(StatusException.class)
                .extracting(e -> ((StatusException) e).status()).isEqualTo(Status.ENOSPC);
        budget.set(0);
        assertThatThrownBy(() -> store.write(new ChunkId(0x99), V1, V0, 0, ByteBuffer.wrap(new byte[10])))
                .extracting(e -> ((StatusException) e).status()).isEqualTo(Status.ENOSPC);

        budget.set(Long.MAX_VALUE);
        assertThat(store.get(ID)).isEqualTo(new StoredChunk(ID, V1, 2 * BLOCK));
        assertThat(store.read(ID, V1, 0, 2 * BLOCK)).isEqualTo(original);
        assertThat(store.get(new ChunkId(0x99))).isNull();
        assertThat(open().chunks()).containsExactly(new StoredChunk(ID, V1, 2 * BLOCK));
    }

    @Test
    void chunksInUseStayOpenUpToTheLimitAndEveryOneStillReadsBack() throws Exception {
        ChunkStore store = ChunkStore.open(dir, ChannelOpener.DEFAULT, recorder, 2);
        for (int i = 1; i <= 5; i++) {
            store.write(new ChunkId(i), V1, V0, 0, ByteBuffer.wrap(random(100, i)));
        }
        assertThat(store.openFileCount()).isEqualTo(2);

        for (int i = 1; i <= 5; i++) {
            assertThat(store.read(new ChunkId(i), V1, 0, 100)).isEqualTo(random(100, i));
        }
        assertThat(store.openFileCount()).isEqualTo(2);
        assertThat(store.delete(new ChunkId(5), V1)).isTrue();
        assertThat(store.openFileCount()).as("a deleted chunk's file is closed").isEqualTo(1);

        store.close();
        assertThat(store.openFileCount()).isZero();
        assertThat(store.read(new ChunkId(4), V1, 0, 100)).as("opened again on use").isEqualTo(random(100, 4));
    }

    @Test
    void aChunkInUseIsOpenedOnceAndItsHeaderReadOnce() throws Exception {
        AtomicLong opens = new AtomicLong();
        ChunkStore store = ChunkStore.open(dir, (path, options) -> {
            opens.incrementAndGet();
            return FileChannel.open(path, options);
        }, recorder);
        byte[] data = random(4 * BLOCK, 11);
        for (int b = 0; b < 4; b++) {
            store.write(ID, V1, V0, (long) b * BLOCK, ByteBuffer.wrap(slice(data, b * BLOCK, BLOCK)));
            assertThat(store.read(ID, V1, 0, (b + 1) * BLOCK)).isEqualTo(slice(data, 0, (b + 1) * BLOCK));
        }
        store.write(ID, V2, V1, 10, ByteBuffer.wrap(new byte[3]));

        assertThat(opens.get()).isEqualTo(1);
        System.arraycopy(new byte[3], 0, data, 10, 3);
        assertThat(open().read(ID, V2, 0, 4 * BLOCK)).as("what a restart reads from disk").isEqualTo(data);
    }

    @Test
    void deferredWritesOfAChunkShareOneForceAndReadBackBeforeIt() throws Exception {
        AtomicLong forces = new AtomicLong();
        ChunkStore store = ChunkStore.open(dir, (path, options) ->
                new FullDiskChannel(FileChannel.open(path, options), new AtomicLong(Long.MAX_VALUE), forces), recorder);
        store.writeDeferred(ID, V1, V0, 0, ByteBuffer.wrap(random(BLOCK, 1)));
        long afterCreate = forces.get();
        assertThat(afterCreate).as("a write that creates the replica is forced at once").isEqualTo(1);

        for (int i = 0; i < 5; i++) {
            store.writeDeferred(ID, V1, V0, i * 100L, ByteBuffer.wrap(random(10, i)));
        }
        assertThat(forces.get()).isEqualTo(afterCreate);
        assertThat(store.read(ID, V1, 400, 10)).isEqualTo(random(10, 4));
        store.force(ID);
        store.force(ID);

        assertThat(forces.get()).as("one force for the five, none when nothing is left").isEqualTo(afterCreate + 1);
        assertThat(open().read(ID, V1, 400, 10)).isEqualTo(random(10, 4));
    }

    @Test
    void aSyncForcesTheDeferredWritesOnceAndTakesReplicasAsAWriteDoes() throws Exception {
        AtomicLong forces = new AtomicLong();
        ChunkStore store = ChunkStore.open(dir, (path, options) ->
                new FullDiskChannel(FileChannel.open(path, options), forces, new java.util.concurrent.atomic.AtomicBoolean()), recorder);
        store.writeDeferred(ID, V1, V0, 0, ByteBuffer.wrap(random(BLOCK, 1)));
        store.writeDeferred(ID, V1, V0, 100, ByteBuffer.wrap(random(10, 2)));
        store.writeDeferred(ID, V1, V0, 300, ByteBuffer.wrap(random(10, 3)));
        long beforeSync = forces.get();

        store.sync(ID, V1, V0);
        assertThat(forces.get()).as("one force for both writes").isEqualTo(beforeSync + 1);
        store.sync(ID, V1, V0);
        assertThat(forces.get()).as("nothing left to force").isEqualTo(beforeSync + 1);

        // a lease renewed after this replica's last write: the sync raises it like an empty write
        store.sync(ID, V2, V1);
        assertThat(store.get(ID)).isEqualTo(new StoredChunk(ID, V2, BLOCK));
        assertThat(open().read(ID, V2, 300, 10)).as("what a restart reads from disk").isEqualTo(random(10, 3));

        assertThatThrownBy(() -> store.sync(ID, V1, V0)).isInstanceOf(StatusException.class)
                .extracting(e -> ((StatusException) e).status()).isEqualTo(Status.ESTALE);
        assertThatThrownBy(() -> store.sync(ID, V3, V3)).isInstanceOf(StatusException.class)
                .extracting(e -> ((StatusException) e).status()).isEqualTo(Status.EIO);
        assertThatThrownBy(() -> store.sync(new ChunkId(0xCD), V1, V0)).isInstanceOf(StatusException.class)
                .extracting(e -> ((StatusException) e).status()).isEqualTo(Status.ENOENT);
        assertThat(store.get(new ChunkId(0xCD))).as("a sync creates nothing").isNull();
    }

    @Test
    void aWrittenFileClosedForOthersIsForcedFirstAndAFailedForceFailsTheNextSync() throws Exception {
        AtomicLong forces = new AtomicLong();
        java.util.concurrent.atomic.AtomicBoolean failForces = new java.util.concurrent.atomic.AtomicBoolean();
        ChunkStore store = ChunkStore.open(dir, (path, options) ->
                new FullDiskChannel(FileChannel.open(path, options), forces, failForces), recorder, 1);
        ChunkId other = new ChunkId(0xCD);
        store.write(ID, V1, V0, 0, ByteBuffer.wrap(random(100, 1)));
        store.writeDeferred(ID, V1, V0, 0, ByteBuffer.wrap(random(100, 2)));
        long beforeOther = forces.get();
        store.write(other, V1, V0, 0, ByteBuffer.wrap(random(100, 3))); // closes ID's file: one open at most
        assertThat(forces.get()).as("ID forced before its file closed, then the new chunk").isEqualTo(beforeOther + 2);
        store.sync(ID, V1, V0);
        assertThat(open().read(ID, V1, 0, 100)).isEqualTo(random(100, 2));

        store.writeDeferred(ID, V1, V0, 0, ByteBuffer.wrap(random(100, 4))); // reopens ID, closes other
        failForces.set(true);
        assertThat(store.read(other, V1, 0, 100)).as("opening other closes ID, whose force fails")
                .isEqualTo(random(100, 3));
        failForces.set(false);
        assertThatThrownBy(() -> store.sync(ID, V1, V0)).as("the writer learns of the failed force")
                .isInstanceOf(StatusException.class)
                .extracting(e -> ((StatusException) e).status()).isEqualTo(Status.EIO);
        store.sync(ID, V1, V0);
    }

    @Test
    void aStreamOfDeferredWritesIsForcedEveryFewMegabytesAndAFailedWritebackFailsTheSync() throws Exception {
        AtomicLong forces = new AtomicLong();
        java.util.concurrent.atomic.AtomicBoolean failForces = new java.util.concurrent.atomic.AtomicBoolean();
        ChunkStore store = ChunkStore.open(dir, (path, options) ->
                new FullDiskChannel(FileChannel.open(path, options), forces, failForces), recorder);
        store.write(ID, V1, V0, 0, ByteBuffer.wrap(random(BLOCK, 1)));
        int frames = (int) (ChunkStore.WRITEBACK_BYTES / BLOCK);
        for (int i = 1; i < frames; i++) {
            store.writeDeferred(ID, V1, V0, (long) i * BLOCK, ByteBuffer.wrap(random(BLOCK, i + 1)));
            assertThat(store.writebackDue(ID)).as("after %d blocks", i).isFalse();
        }
        store.writeDeferred(ID, V1, V0, (long) frames * BLOCK, ByteBuffer.wrap(random(BLOCK, 0)));
        assertThat(store.writebackDue(ID)).isTrue();
        assertThat(store.writebackDue(ID)).as("handed out once").isFalse();
        long before = forces.get();
        store.writeback(ID);
        assertThat(forces.get()).isEqualTo(before + 1);
        store.sync(ID, V1, V0);
        assertThat(forces.get()).as("nothing left for the sync").isEqualTo(before + 1);

        for (int i = 0; i <= frames; i++) {
            store.writeDeferred(ID, V1, V0, (long) i * BLOCK, ByteBuffer.wrap(random(BLOCK, i + 7)));
        }
        assertThat(store.writebackDue(ID)).isTrue();
        failForces.set(true);
        store.writeback(ID);
        failForces.set(false);
        assertThatThrownBy(() -> store.sync(ID, V1, V0)).as("the writer learns of the failed writeback")
                .isInstanceOf(StatusException.class)
                .extracting(e -> ((StatusException) e).status()).isEqualTo(Status.EIO);
    }

    @Test
    void aReadFromThePageCacheOnlyGivesTheBytesOrNothingAndNeverMovesAReplicaAside() throws Throwable {
        Assumptions.assumeTrue(CachedReads.available(), "preadv2 with RWF_NOWAIT is not available here");
        byte[] data = random(3 * BLOCK, 41);
        store().write(ID, V1, V0, 0, ByteBuffer.wrap(data));
        ChunkStore store = lastStore;
        assertThat(store.readCached(ID, V1, V1, 1000, 2 * BLOCK)).isEqualTo(slice(data, 1000, 2 * BLOCK));
        assertThat(store.readCached(ID, V1, V1, 3 * BLOCK - 10, 100)).as("past the end reads as zeros")
                .isEqualTo(java.util.Arrays.copyOf(slice(data, 3 * BLOCK - 10, 10), 100));
        assertThat(store.readCached(new ChunkId(0xCD), V1, V1, 0, 10)).as("no such chunk: left to the disk thread")
                .isNull();
        assertThatThrownBy(() -> store.readCached(ID, V2, V2, 0, 10)).isInstanceOf(StatusException.class);

        evictFromPageCache(dir.resolve("chunks"));
        assertThat(store.readCached(ID, V1, V1, 0, 4096)).as("evicted: it would wait for the disk").isNull();
        assertThat(store.read(ID, V1, 0, 4096)).isEqualTo(slice(data, 0, 4096));

        try (FileChannel raw = FileChannel.open(chunkFile(), StandardOpenOption.WRITE)) {
            raw.write(ByteBuffer.wrap(new byte[] {(byte) ~data[5]}), 8192 + 5);
        }
        assertThat(store.readCached(ID, V1, V1, 0, 10)).as("a bad block is left to the disk thread").isNull();
        assertThat(store.get(ID)).as("not moved aside by the cached read").isNotNull();
        assertThatThrownBy(() -> store.read(ID, V1, 0, 10)).isInstanceOf(StatusException.class);
    }

    @Test
    void aReadIfFreeReadsLikeReadAndLeavesUnknownChunksAndClosedFilesToTheDiskThread() throws Exception {
        byte[] data = random(BLOCK, 43);
        ChunkStore store = open();
        store.write(ID, V1, V0, 0, ByteBuffer.wrap(data));
        assertThat(store.readIfFree(ID, V1, V1, 100, 200)).isEqualTo(slice(data, 100, 200));
        assertThat(store.readIfFree(new ChunkId(0xCD), V1, V1, 0, 10)).isNull();
        assertThat(store.get(new ChunkId(0xCD))).isNull();
        ChunkStore reopened = open();
        assertThat(reopened.readIfFree(ID, V1, V1, 100, 200)).as("file not open yet: left to the disk thread")
                .isNull();
        assertThat(reopened.read(ID, V1, 100, 200)).isEqualTo(slice(data, 100, 200));
        assertThat(reopened.readIfFree(ID, V1, V1, 100, 200)).as("open now").isEqualTo(slice(data, 100, 200));
    }

    private ChunkStore lastStore;

    private ChunkStore store() throws IOException {
        lastStore = open();
        return lastStore;
    }

    private Path chunkFile() throws IOException {
        try (var files = Files.walk(dir.resolve("chunks"))) {
            return files.filter(Files::isRegularFile).findFirst().orElseThrow();
        }
    }

    /** Syncs every file under {@code root} and drops its pages: posix_fadvise(POSIX_FADV_DONTNEED). */
    private static void evictFromPageCache(Path root) throws Throwable {
        java.lang.foreign.Linker linker = java.lang.foreign.Linker.nativeLinker();
        java.lang.invoke.MethodHandle fadvise = linker.downcallHandle(
                linker.defaultLookup().find("posix_fadvise").orElseThrow(),
                java.lang.foreign.FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_INT,
                        java.lang.foreign.ValueLayout.JAVA_INT, java.lang.foreign.ValueLayout.JAVA_LONG,
                        java.lang.foreign.ValueLayout.JAVA_LONG, java.lang.foreign.ValueLayout.JAVA_INT));
        try (var files = Files.walk(root)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                    channel.force(true);
                }
                int fd = CachedReads.open(file);
                try {
                    assertThat((int) fadvise.invokeExact(fd, 0L, 0L, 4)).isZero(); // POSIX_FADV_DONTNEED
                } finally {
                    CachedReads.close(fd);
                }
            }
        }
    }

    @Test
    void readOutsideTheChunkIsInvalid() throws Exception {
        ChunkStore store = open();
        assertThatThrownBy(() -> store.read(ID, V1, Layout.CHUNK_SIZE_BYTES - 1, 2))
                .extracting(e -> ((StatusException) e).status()).isEqualTo(Status.EINVAL);
    }

    private static void flipByte(Path file, long position) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, position);
            one.put(0, (byte) (one.get(0) ^ 0x10)).rewind();
            channel.write(one, position);
        }
    }
}
