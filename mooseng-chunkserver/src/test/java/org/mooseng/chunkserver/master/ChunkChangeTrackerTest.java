package org.mooseng.chunkserver.master;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mooseng.chunkserver.store.StoredChunk;
import org.mooseng.common.ChunkId;
import org.mooseng.common.ChunkVersion;
import org.mooseng.proto.ChunkReport;

class ChunkChangeTrackerTest {
    private final ChunkChangeTracker tracker = new ChunkChangeTracker();

    private static ChunkReport report(long id, int version) {
        return ChunkReport.newBuilder().setChunkId(id).setVersion(version).build();
    }

    private static StoredChunk stored(long id, int version) {
        return new StoredChunk(new ChunkId(id), new ChunkVersion(version), 0);
    }

    @Test
    void deletionsGoToDeletedAndDamageToLost() {
        tracker.changed(stored(1, 1));
        tracker.removed(new ChunkId(2), new ChunkVersion(3), false);
        tracker.removed(new ChunkId(4), new ChunkVersion(5), true);

        ChunkChangeTracker.Batch batch = tracker.drain();
        assertThat(batch.changed()).containsExactly(report(1, 1));
        assertThat(batch.deleted()).containsExactly(report(2, 3));
        assertThat(batch.lost()).containsExactly(report(4, 5));
        assertThat(tracker.drain()).isEqualTo(new ChunkChangeTracker.Batch(
                java.util.List.of(), java.util.List.of(), java.util.List.of()));
    }

    @Test
    void theLatestChangeOfAChunkWinsAcrossAllThreeLists() {
        tracker.changed(stored(1, 1));
        tracker.removed(new ChunkId(1), new ChunkVersion(1), false);
        tracker.removed(new ChunkId(2), new ChunkVersion(1), true);
        tracker.changed(stored(2, 2));

        ChunkChangeTracker.Batch batch = tracker.drain();
        assertThat(batch.changed()).containsExactly(report(2, 2));
        assertThat(batch.deleted()).containsExactly(report(1, 1));
        assertThat(batch.lost()).isEmpty();
    }

    @Test
    void aRestoredBatchNeverOverridesANewerChange() {
        tracker.removed(new ChunkId(1), new ChunkVersion(1), false);
        tracker.removed(new ChunkId(2), new ChunkVersion(1), false);
        ChunkChangeTracker.Batch unsent = tracker.drain();
        tracker.changed(stored(1, 2));

        tracker.restore(unsent);
        ChunkChangeTracker.Batch batch = tracker.drain();
        assertThat(batch.changed()).containsExactly(report(1, 2));
        assertThat(batch.deleted()).containsExactly(report(2, 1));
    }
}
