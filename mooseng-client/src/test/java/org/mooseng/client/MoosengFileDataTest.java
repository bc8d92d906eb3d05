package org.mooseng.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mooseng.common.Layout;
import org.mooseng.common.Status;
import org.mooseng.proto.WriteChunkEndRequest;
import org.mooseng.proto.WriteChunkRequest;

/** File data through MoosengFile: chunk boundaries, replica failover, write retries, truncation. */
class MoosengFileDataTest {
    private static final long CHUNK = Layout.CHUNK_SIZE_BYTES;
    private static final String CS1 = "10.0.0.1:9422";
    private static final String CS2 = "10.0.0.2:9422";
    private static final String CS3 = "10.0.0.3:9422";

    private FakeMaster master;
    private FakeChunkServers chunkServers;
    private MoosengClient client;

    @BeforeEach
    void start() throws Exception {
        master = new FakeMaster();
        chunkServers = new FakeChunkServers();
        // Read-ahead off, so that counts of master calls and data requests are exact.
        client = MoosengClient.connect(master.options().writeWindowBytes(32L << 20).writeRetries(2)
                .readAheadBytes(0).build(), chunkServers);
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        master.close();
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private byte[] readAll(MoosengFile f, long position, int n) throws Exception {
        ByteBuffer dst = ByteBuffer.allocate(n);
        int got = f.read(position, dst);
        assertThat(got).isEqualTo(n);
        return dst.array();
    }

    @Test
    void writeAcrossAChunkBoundaryLandsInBothChunksAndReadsBack() throws Exception {
        byte[] data = random(10_000, 1);
        long position = CHUNK - 4_000;
        try (MoosengFile f = client.create("/f", 0644, true)) {
            f.write(position, ByteBuffer.wrap(data));
        }
        assertThat(client.stat("/f").sizeBytes()).isEqualTo(position + data.length);
        List<WriteChunkRequest> leases = master.writeChunkRequests;
        assertThat(leases).extracting(WriteChunkRequest::getChunkIndex).containsExactly(0L, 1L);
        assertThat(master.writeChunkEnds).extracting(e -> e.getNewSize())
                .containsExactlyInAnyOrder(CHUNK, position + data.length);
        // Both replicas of the first chunk hold the bytes at the end of the chunk.
        long firstChunk = master.writeChunkEnds.getFirst().getChunkId();
        assertThat(chunkServers.chunk(CS1, firstChunk).read((int) CHUNK - 4_000, 4_000))
                .isEqualTo(java.util.Arrays.copyOf(data, 4_000));
        assertThat(chunkServers.chunk(CS2, firstChunk).length).isEqualTo((int) CHUNK);
        try (MoosengFile f = client.open("/f")) {
            assertThat(readAll(f, position, data.length)).isEqualTo(data);
            // The unwritten start of the first chunk reads as zeros, never as garbage.
            assertThat(readAll(f, 100, 10)).containsOnly(0);
        }
    }

    @Test
    void readStopsAtTheFileSizeAndReturnsMinusOneAtTheEnd() throws Exception {
        try (MoosengFile f = client.create("/f", 0644, true)) {
            f.write(0, ByteBuffer.wrap(random(100, 2)));
        }
        try (MoosengFile f = client.open("/f")) {
            ByteBuffer dst = ByteBuffer.allocate(1000);
            assertThat(f.read(90, dst)).isEqualTo(10);
            assertThat(dst.position()).isEqualTo(10);
            assertThat(f.read(100, ByteBuffer.allocate(10))).isEqualTo(-1);
            assertThat(f.read(5000, ByteBuffer.allocate(10))).isEqualTo(-1);
        }
        // Data read requests never asked past the end.
        assertThat(chunkServers.requests).filteredOn(r -> r.startsWith("Read")).hasSize(1);
    }

    @Test
    void holeChunkReadsAsZerosWithoutAskingAChunkServer() throws Exception {
        try (MoosengFile f = client.create("/f", 0644, true)) {
            f.write(2 * CHUNK, ByteBuffer.wrap(new byte[] {7}));
        }
        chunkServers.requests.clear();
        try (MoosengFile f = client.open("/f")) {
            byte[] bytes = readAll(f, CHUNK + 5, 1000);
            assertThat(bytes).containsOnly(0);
            assertThat(readAll(f, 2 * CHUNK, 1)).containsExactly(7);
        }
        assertThat(chunkServers.requests).hasSize(1);
    }

    @Test
    void readFailsOverToTheNextReplicaOnConnectionLossAndCorruptData() throws Exception {
        byte[] data = random(5000, 3);
        try (MoosengFile f = client.create("/f", 0644, true)) {
            f.write(0, ByteBuffer.wrap(data));
        }
        chunkServers.down.add(CS1);
        try (MoosengFile f = client.open("/f")) {
            assertThat(readAll(f, 0, data.length)).isEqualTo(data);
        }
        chunkServers.down.clear();
        chunkServers.corrupt.add(CS1);
        chunkServers.requests.clear();
        try (MoosengFile f = client.open("/f")) {
            assertThat(readAll(f, 0, data.length)).isEqualTo(data);
        }
        assertThat(chunkServers.requests).containsExactly("Read@" + CS1, "Read@" + CS2);
    }

    @Test
    void readAsksTheMasterOnceMoreWhenAllReplicasFailThenFailsWithEio() throws Exception {
        try (MoosengFile f = client.create("/f", 0644, true)) {
            f.write(0, ByteBuffer.wrap(random(100, 4)));
        }
        chunkServers.down.add(CS1);
        chunkServers.down.add(CS2);
        int before = master.readChunkCalls.get();
        try (MoosengFile f = client.open("/f")) {
            assertThatThrownBy(() -> f.read(0, ByteBuffer.allocate(100)))
                    .isInstanceOfSatisfying(MoosengException.class, e -> {
                        assertThat(e.status()).isEqualTo(Status.EIO);
                        assertThat(e.getMessage()).startsWith("/f: ");
                    });
        }
        assertThat(master.readChunkCalls.get() - before).isEqualTo(2);
    }

    @Test
    void aHandleAsksTheMasterWhereAChunkIsOnceAndAgainAfterItsOwnWrite() throws Exception {
        byte[] data = random(64 << 10, 14);
        try (MoosengFile f = client.create("/f", 0644, true)) {
            f.write(0, ByteBuffer.wrap(data));
        }
        int before = master.readChunkCalls.get();
        try (MoosengFile f = client.open("/f", OpenFlag.READ, OpenFlag.WRITE)) {
            for (int i = 0; i < 8; i++) {
                // Random 4 KiB reads within one chunk: no read-ahead, one location for all.
                int position = (i * 5 % 16) * 4096;
                assertThat(readAll(f, position, 4096)).isEqualTo(Arrays.copyOfRange(data, position, position + 4096));
            }
            assertThat(master.readChunkCalls.get() - before).isEqualTo(1);

            // A write through the handle grows the file: the next read must see the new size.
            f.write(data.length, ByteBuffer.wrap(new byte[] {7, 8, 9}));
            assertThat(readAll(f, data.length, 3)).containsExactly(7, 8, 9);
            assertThat(master.readChunkCalls.get() - before).isEqualTo(2);
        }
        // A new handle asks again.
        try (MoosengFile f = client.open("/f")) {
            assertThat(readAll(f, 0, 4096)).isEqualTo(Arrays.copyOf(data, 4096));
        }
        assertThat(master.readChunkCalls.get() - before).isEqualTo(3);
    }

    @Test
    void readSucceedsWhenTheMastersSecondAnswerNamesAGoodReplica() throws Exception {
        byte[] data = random(100, 5);
        try (MoosengFile f = client.create("/f", 0644, true)) {
            f.write(0, ByteBuffer.wrap(data));
        }
        // The first answer names only cs3, which lacks the chunk; the second names cs1 and cs2.
        master.readReplicasOnce.set(List.of(master.servers.get(2)));
        int before = master.readChunkCalls.get();
        try (MoosengFile f = client.open("/f")) {
            assertThat(readAll(f, 0, 100)).isEqualTo(data);
        }
        assertThat(master.readChunkCalls.get() - before).isEqualTo(2);
        assertThat(chunkServers.requests).contains("Read@" + CS3, "Read@" + CS1);
    }

    @Test
    void writeRetriesWithTheFailedServerExcludedAndResendsTheFrame() throws Exception {
        byte[] data = random(6 << 20, 6);
        chunkServers.failWrites.put(CS2, 1);
        try (MoosengFile f = client.create("/f", 0644, true)) {
            f.write(0, ByteBuffer.wrap(data));
        }
        List<WriteChunkRequest> leases = master.writeChunkRequests;
        assertThat(leases).hasSize(2);
        assertThat(leases.get(0).getExcludeServersList()).isEmpty();
        assertThat(leases.get(1).getExcludeServersList()).containsExactly(CS2, "cs2");
        long chunkId = master.writeChunkEnds.getFirst().getChunkId();
        // The survivor cs1 was raised to the new version and holds every byte, both frames.
        assertThat(chunkServers.chunk(CS1, chunkId).version).isEqualTo(2);
        assertThat(chunkServers.chunk(CS1, chunkId).read(0, data.length)).isEqualTo(data);
        try (MoosengFile f = client.open("/f")) {
            assertThat(readAll(f, 0, data.length)).isEqualTo(data);
        }
    }

    @Test
    void longSequentialWriteCommitsFinishedChunksAsItGoes() throws Exception {
        try (MoosengFile f = client.create("/f", 0644, true)) {
            for (int chunk = 0; chunk < 5; chunk++) {
                f.write(chunk * CHUNK, ByteBuffer.wrap(random(10, chunk)));
            }
            // Opening the fifth chunk's session ended the four idle ones.
            assertThat(master.writeChunkEnds).hasSize(4);
            assertThat(client.stat("/f").sizeBytes()).isEqualTo(3 * CHUNK + 10);
            assertThat(f.size()).isEqualTo(4 * CHUNK + 10);
        }
        assertThat(master.writeChunkEnds).hasSize(5);
        assertThat(client.stat("/f").sizeBytes()).isEqualTo(4 * CHUNK + 10);
    }

    @Test
    void everyReplicaIsSyncedOncePerChunkBeforeTheMasterCommitsItsSize() throws Exception {
        List<String> committedUnsynced = new java.util.concurrent.CopyOnWriteArrayList<>();
        master.onWriteChunkEnd = end -> committedUnsynced.addAll(chunkServers.unsyncedReplicas(end.getChunkId()));
        try (MoosengFile f = client.create("/f", 0644, true)) {
            for (int chunk = 0; chunk < 5; chunk++) { // the fifth chunk's session ends the four idle ones
                for (int frame = 0; frame < 3; frame++) {
                    f.write(chunk * CHUNK + frame * 1000L, ByteBuffer.wrap(random(1000, chunk * 10 + frame)));
                }
            }
            f.write(4 * CHUNK + 5000, ByteBuffer.wrap(random(10, 99)));
            f.fsync();
            assertThat(master.writeChunkEnds).hasSize(5);
            for (WriteChunkEndRequest end : master.writeChunkEnds) {
                assertThat(chunkServers.unsyncedReplicas(end.getChunkId())).as("after fsync").isEmpty();
            }
        }
        assertThat(committedUnsynced).as("replicas holding unsynced bytes when the master committed").isEmpty();
        assertThat(chunkServers.requests.stream().filter(r -> r.startsWith("Sync@")).count())
                .as("one SYNC per chunk, sent to the head of its chain").isEqualTo(5);
    }

    @Test
    void aFileWhoseOneFrameCreatedItsReplicasNeedsNoSyncAndAnOverwriteOfItDoes() throws Exception {
        try (MoosengFile f = client.create("/f", 0644, true)) {
            f.write(0, ByteBuffer.wrap(random(65_536, 31)));
        }
        long chunkId = master.writeChunkEnds.getFirst().getChunkId();
        assertThat(chunkServers.requests).noneMatch(r -> r.startsWith("Sync@"));
        assertThat(chunkServers.unsyncedReplicas(chunkId)).isEmpty();

        try (MoosengFile f = client.open("/f", OpenFlag.READ, OpenFlag.WRITE)) {
            f.write(100, ByteBuffer.wrap(random(10, 32)));
            f.fsync();
            assertThat(chunkServers.requests.stream().filter(r -> r.startsWith("Sync@")).count()).isEqualTo(1);
            assertThat(chunkServers.unsyncedReplicas(chunkId)).isEmpty();
        }
    }

    @Test
    void aFailedSyncLeasesTheChunkAgainWithoutTheReplicaAndSyncsTheSurvivor() throws Exception {
        byte[] data = random(100_000, 21);
        chunkServers.failSyncs.put(CS2, 1);
        try (MoosengFile f = client.create("/f", 0644, true)) {
            f.write(0, ByteBuffer.wrap(data, 0, 50_000));
            f.write(50_000, ByteBuffer.wrap(data, 50_000, 50_000)); // not on disk when acknowledged
        }
        List<WriteChunkRequest> leases = master.writeChunkRequests;
        assertThat(leases).hasSize(2);
        assertThat(leases.get(1).getExcludeServersList()).containsExactly(CS2, "cs2");
        long chunkId = master.writeChunkEnds.getFirst().getChunkId();
        assertThat(chunkServers.chunk(CS1, chunkId).version).as("raised by the SYNC of the new lease").isEqualTo(2);
        assertThat(chunkServers.chunk(CS1, chunkId).unsynced).isFalse();
        assertThat(chunkServers.requests.stream().filter(r -> r.startsWith("Write@")).count())
                .as("the acknowledged frames are not sent again").isEqualTo(2);
        try (MoosengFile f = client.open("/f")) {
            assertThat(readAll(f, 0, data.length)).isEqualTo(data);
        }
    }

    @Test
    void lostConnectionToTheChainHeadExcludesIt() throws Exception {
        chunkServers.down.add(CS1);
        try (MoosengFile f = client.create("/f", 0644, true)) {
            f.write(0, ByteBuffer.wrap(random(1000, 7)));
        }
        assertThat(master.writeChunkRequests.get(1).getExcludeServersList()).contains(CS1, "cs1");
        assertThat(client.stat("/f").sizeBytes()).isEqualTo(1000);
        // Nothing had reached cs2 under the first lease: the resent frame created the chunk there.
        long chunkId = master.writeChunkEnds.getFirst().getChunkId();
        assertThat(chunkServers.chunk(CS2, chunkId).version).isEqualTo(2);
        assertThat(chunkServers.chunk(CS2, chunkId).length).isEqualTo(1000);
    }

    @Test
    void deadHeadOfAnExistingChunkIsSkippedAndTheSurvivorRaisedFromItsOldVersion() throws Exception {
        try (MoosengFile f = client.create("/f", 0644, true)) {
            f.write(0, ByteBuffer.wrap(random(1000, 13)));
        }
        long chunkId = master.writeChunkEnds.getFirst().getChunkId();
        assertThat(chunkServers.chunk(CS2, chunkId).version).isEqualTo(1);
        chunkServers.down.add(CS1);
        byte[] update = random(500, 14);
        try (MoosengFile f = client.open("/f", OpenFlag.READ, OpenFlag.WRITE)) {
            f.write(200, ByteBuffer.wrap(update));
        }
        // Lease v2 (base v1) went to the dead head; the re-lease is v3 and keeps base v1, which
        // cs2 still holds.
        assertThat(chunkServers.chunk(CS2, chunkId).version).isEqualTo(3);
        assertThat(chunkServers.chunk(CS2, chunkId).read(200, 500)).isEqualTo(update);
    }

    @Test
    void headThatStoredAFrameItCouldNotForwardIsRaisedFromThatVersion() throws Exception {
        chunkServers.failWrites.put(CS2, 1);
        byte[] data = random(1000, 15);
        try (MoosengFile f = client.create("/f", 0644, true)) {
            f.write(0, ByteBuffer.wrap(data));
        }
        long chunkId = master.writeChunkEnds.getFirst().getChunkId();
        // cs1 stored v1 before cs2 failed; the re-lease (v2) keeps the new chunk's base 0, so the
        // resend is taken by cs1 at v1.
        assertThat(chunkServers.requests).filteredOn(r -> r.startsWith("Write@" + CS1)).hasSize(2);
        assertThat(master.writeChunkRequests).hasSize(2);
        assertThat(chunkServers.chunk(CS1, chunkId).version).isEqualTo(2);
        assertThat(chunkServers.chunk(CS1, chunkId).read(0, 1000)).isEqualTo(data);
    }

    @Test
    void writerWhoseLeaseWasOvertakenLeasesAgainWithoutExcludingAnyone() throws Exception {
        byte[] first = random(100, 21);
        byte[] other = random(100, 22);
        byte[] late = random(100, 23);
        try (MoosengFile a = client.create("/f", 0644, true)) {
            a.write(0, ByteBuffer.wrap(first));
            // Another writer raises the chunk's version under a's open lease.
            try (MoosengFile b = client.open("/f", OpenFlag.READ, OpenFlag.WRITE)) {
                b.write(100, ByteBuffer.wrap(other));
            }
            // a's next frame names the old version: the replicas answer ESTALE, a asks again.
            a.write(200, ByteBuffer.wrap(late));
        }
        // a's lease, b's, and a's second after the ESTALE; nobody excluded.
        assertThat(master.writeChunkRequests).hasSize(3)
                .allSatisfy(r -> assertThat(r.getExcludeServersList()).isEmpty());
        long chunkId = master.writeChunkEnds.getFirst().getChunkId();
        for (String server : List.of(CS1, CS2)) {
            assertThat(chunkServers.chunk(server, chunkId).read(0, 300))
                    .isEqualTo(concat(first, other, late));
        }
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    @Test
    void writeGivesUpWithEioAfterTheRetryBound() throws Exception {
        chunkServers.failWrites.put(CS1, 100);
        chunkServers.failWrites.put(CS2, 100);
        chunkServers.failWrites.put(CS3, 100);
        MoosengFile f = client.create("/f", 0644, true);
        f.write(0, ByteBuffer.wrap(random(1000, 8)));
        assertThatThrownBy(f::fsync).isInstanceOfSatisfying(MoosengException.class,
                e -> assertThat(e.status()).isEqualTo(Status.EIO));
        // The failure sticks: close reports it too and commits nothing.
        assertThatThrownBy(f::close).isInstanceOfSatisfying(MoosengException.class,
                e -> assertThat(e.status()).isEqualTo(Status.EIO));
        // First lease plus at most one re-lease per excluded server allowed by the bound.
        assertThat(master.writeChunkRequests.size()).isLessThanOrEqualTo(1 + 2);
        assertThat(master.writeChunkEnds).isEmpty();
    }

    private static java.util.concurrent.CompletableFuture<Integer> writeInBackground(MoosengFile f, long position,
                                                                                 String text) {
        return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return f.write(position, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
            } catch (MoosengException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
    }

    @Test
    void overwriteOfBytesStillInFlightWaitsForTheEarlierFrame() throws Exception {
        chunkServers.holdReplies = true;
        MoosengFile f = client.create("/f", 0644, true);
        f.write(0, ByteBuffer.wrap("abcdefgh".getBytes(StandardCharsets.UTF_8)));
        java.util.concurrent.CompletableFuture<Integer> overwrite = writeInBackground(f, 5, "XYZ");
        // Frames may take different connections: the overwrite must not be sent before the first is acknowledged.
        assertThatThrownBy(() -> overwrite.get(300, java.util.concurrent.TimeUnit.MILLISECONDS))
                .isInstanceOf(java.util.concurrent.TimeoutException.class);
        assertThat(chunkServers.heldCount()).isEqualTo(1);
        chunkServers.releaseHeld();
        assertThat(overwrite.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(3);
        f.close();
        ByteBuffer back = ByteBuffer.allocate(8);
        try (MoosengFile r = client.open("/f")) {
            r.read(0, back);
        }
        assertThat(new String(back.array(), StandardCharsets.UTF_8)).isEqualTo("abcdeXYZ");
    }

    @Test
    void onlyAWriteThatOverlapsAFrameInFlightWaitsAndThenForThatFrame() throws Exception {
        chunkServers.holdReplies = true;
        MoosengFile f = client.create("/f", 0644, true);
        f.write(0, ByteBuffer.wrap("aaaaaaaa".getBytes(StandardCharsets.UTF_8)));
        f.write(100, ByteBuffer.wrap("bbbbbbbb".getBytes(StandardCharsets.UTF_8)));
        // below the furthest byte sent, but between the frames in flight: sent at once
        f.write(50, ByteBuffer.wrap("cccccccc".getBytes(StandardCharsets.UTF_8)));
        assertThat(chunkServers.heldCount()).isEqualTo(3);
        java.util.concurrent.CompletableFuture<Integer> overwrite = writeInBackground(f, 106, "XYZ");
        assertThatThrownBy(() -> overwrite.get(300, java.util.concurrent.TimeUnit.MILLISECONDS))
                .isInstanceOf(java.util.concurrent.TimeoutException.class);
        assertThat(chunkServers.heldCount()).isEqualTo(3);
        chunkServers.releaseHeld();
        assertThat(overwrite.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(3);
        f.close();
        ByteBuffer back = ByteBuffer.allocate(109);
        try (MoosengFile r = client.open("/f")) {
            r.read(0, back);
        }
        String text = new String(back.array(), StandardCharsets.UTF_8);
        assertThat(text.substring(0, 8)).isEqualTo("aaaaaaaa");
        assertThat(text.substring(50, 58)).isEqualTo("cccccccc");
        assertThat(text.substring(100, 109)).isEqualTo("bbbbbbXYZ");
    }

    @Test
    void largeWritesKeepSeveralFramesInFlight() throws Exception {
        chunkServers.holdReplies = true;
        MoosengFile f = client.create("/f", 0644, true);
        byte[] data = random(12 << 20, 9);
        f.write(0, ByteBuffer.wrap(data));
        // write() returned with all three 4 MiB frames outstanding: nothing was awaited one by one.
        assertThat(chunkServers.heldCount()).isEqualTo(3);
        assertThat(master.writeChunkEnds).isEmpty();
        chunkServers.releaseHeld();
        f.close();
        assertThat(client.stat("/f").sizeBytes()).isEqualTo(data.length);
    }

    @Test
    void sequentialSmallReadsAreServedFromTheReadAhead() throws Exception {
        byte[] data = random(3 << 20, 11);
        try (MoosengFile f = client.create("/f", 0644, true)) {
            f.write(0, ByteBuffer.wrap(data));
        }
        chunkServers.requests.clear();
        ByteBuffer all = ByteBuffer.allocate(data.length);
        try (MoosengClient reading = MoosengClient.connect(master.options().readAheadBytes(8 << 20).build(),
                chunkServers);
             MoosengFile f = reading.open("/f")) {
            for (long position = 0; position < data.length; position += 1 << 20) {
                assertThat(f.read(position, all.slice((int) position, 1 << 20))).isEqualTo(1 << 20);
            }
            assertThat(f.read(data.length, ByteBuffer.allocate(10))).isEqualTo(-1);
        }
        assertThat(all.array()).isEqualTo(data);
        // One Read for the first MiB, one for the read-ahead of the other two: not three.
        assertThat(chunkServers.requests).filteredOn(r -> r.startsWith("Read")).hasSize(2);
    }

    @Test
    void aLongSequentialReadKeepsSegmentsInFlightAndToleratesRequestsOutOfOrder() throws Exception {
        byte[] data = random(12 << 20, 13);
        try (MoosengFile f = client.create("/f", 0644, true)) {
            f.write(0, ByteBuffer.wrap(data));
        }
        chunkServers.requests.clear();
        int piece = 128 << 10;
        ByteBuffer all = ByteBuffer.allocate(data.length);
        try (MoosengClient reading = MoosengClient.connect(master.options().readAheadBytes(8 << 20).build(),
                chunkServers);
             MoosengFile f = reading.open("/f")) {
            for (int position = 0; position < data.length; position += 2 * piece) {
                // The kernel's read-ahead reaches the mount as concurrent requests: here each pair
                // arrives second piece first.
                int second = position + piece;
                if (second < data.length) {
                    assertThat(f.read(second, all.slice(second, piece))).isEqualTo(piece);
                }
                assertThat(f.read(position, all.slice(position, piece))).isEqualTo(piece);
            }
            assertThat(f.read(data.length, ByteBuffer.allocate(10))).isEqualTo(-1);
        }
        assertThat(all.array()).isEqualTo(data);
        // 96 pieces of 128 KiB, fetched as 2 MiB segments: the first pair directly, the rest in
        // six segments, those across a chunk boundary as two requests (not one per piece).
        assertThat(chunkServers.requests).filteredOn(r -> r.startsWith("Read")).hasSizeLessThanOrEqualTo(11);
    }

    @Test
    void randomReadsDoNotReadAhead() throws Exception {
        try (MoosengFile f = client.create("/f", 0644, true)) {
            f.write(0, ByteBuffer.wrap(random(3 << 20, 12)));
        }
        chunkServers.requests.clear();
        try (MoosengClient reading = MoosengClient.connect(master.options().readAheadBytes(8 << 20).build(),
                chunkServers);
             MoosengFile f = reading.open("/f")) {
            f.read(2 << 20, ByteBuffer.allocate(100));
            f.read(1 << 20, ByteBuffer.allocate(100));
        }
        assertThat(chunkServers.requests).filteredOn(r -> r.startsWith("Read")).hasSize(2);
    }

    @Test
    void truncateCutsTheChunkOnItsReplicas() throws Exception {
        byte[] data = random(3000, 10);
        try (MoosengFile f = client.create("/f", 0644, true)) {
            f.write(0, ByteBuffer.wrap(data));
            f.truncate(1000);
            assertThat(f.size()).isEqualTo(1000);
        }
        long chunkId = master.writeChunkEnds.getFirst().getChunkId();
        assertThat(chunkServers.requests).contains("Truncate@" + CS1);
        assertThat(chunkServers.chunk(CS2, chunkId).length).isEqualTo(1000);
        try (MoosengFile f = client.open("/f")) {
            ByteBuffer dst = ByteBuffer.allocate(3000);
            assertThat(f.read(0, dst)).isEqualTo(1000);
            assertThat(java.util.Arrays.copyOf(dst.array(), 1000)).isEqualTo(java.util.Arrays.copyOf(data, 1000));
        }
    }

    @Test
    void appendOpenTruncateAndReadYourOwnWrites() throws Exception {
        try (MoosengFile f = client.open("/f", OpenFlag.READ, OpenFlag.WRITE, OpenFlag.CREATE)) {
            f.write(0, ByteBuffer.wrap("hello".getBytes()));
            assertThat(f.size()).isEqualTo(5);
            assertThat(f.append(ByteBuffer.wrap(" world".getBytes()))).isEqualTo(5);
            // Reading through the same handle sees the uncommitted writes.
            assertThat(new String(readAll(f, 0, 11))).isEqualTo("hello world");
        }
        try (MoosengFile f = client.open("/f", OpenFlag.WRITE, OpenFlag.TRUNCATE)) {
            assertThat(f.size()).isZero();
            assertThatThrownBy(() -> f.read(0, ByteBuffer.allocate(1)))
                    .isInstanceOfSatisfying(MoosengException.class, e -> assertThat(e.status()).isEqualTo(Status.EBADF));
        }
        try (MoosengFile f = client.open("/f", OpenFlag.APPEND)) {
            f.write(0, ByteBuffer.wrap("abc".getBytes()));
            f.write(0, ByteBuffer.wrap("def".getBytes()));
        }
        try (MoosengFile f = client.open("/f")) {
            assertThat(new String(readAll(f, 0, 6))).isEqualTo("abcdef");
        }
    }
}
