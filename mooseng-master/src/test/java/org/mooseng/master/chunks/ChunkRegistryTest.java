package org.mooseng.master.chunks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.mooseng.proto.ChunkReport;

class ChunkRegistryTest {
    private static final long TIMEOUT_MS = 10_000;
    private final AtomicLong nowMillis = new AtomicLong(1_000_000);
    private final ChunkRegistry registry = new ChunkRegistry(nowMillis::get, TIMEOUT_MS);

    private static ChunkReport chunk(long id, int version) {
        return ChunkReport.newBuilder().setChunkId(id).setVersion(version).build();
    }

    @Test
    void serverWithoutHeartbeatForTheTimeoutIsDeadAndItsReplicasAreInvalid() {
        registry.register("cs1", "h1", 1, 100, 50, List.of(chunk(7, 3)));
        registry.register("cs2", "h2", 1, 100, 50, List.of(chunk(7, 3)));
        nowMillis.addAndGet(TIMEOUT_MS);
        assertThat(registry.heartbeat("cs2", 100, 50, List.of(), List.of(), List.of())).isTrue();
        nowMillis.addAndGet(1);

        assertThat(registry.isAlive("cs1")).isFalse();
        assertThat(registry.aliveServers()).extracting(ChunkServerView::serverId).containsExactly("cs2");
        assertThat(registry.replicas(7, 3)).filteredOn(ReplicaView::valid)
                .extracting(r -> r.server().serverId()).containsExactly("cs2");

        assertThat(registry.heartbeat("cs1", 100, 50, List.of(), List.of(), List.of())).isTrue();
        assertThat(registry.isAlive("cs1")).isTrue();
    }

    @Test
    void heartbeatOfAnUnknownServerIsRefused() {
        assertThat(registry.heartbeat("ghost", 1, 1, List.of(), List.of(), List.of())).isFalse();
    }

    @Test
    void reRegistrationReplacesTheServersChunkListAndLostChunksAreForgotten() {
        registry.register("cs1", "h1", 1, 100, 50, List.of(chunk(1, 1), chunk(2, 1)));
        registry.register("cs1", "h1", 1, 100, 50, List.of(chunk(2, 4)));
        assertThat(registry.versionOn("cs1", 1)).isEmpty();
        assertThat(registry.versionOn("cs1", 2)).hasValue(4);

        registry.heartbeat("cs1", 100, 50, List.of(chunk(3, 1)), List.of(), List.of(chunk(2, 4)));
        assertThat(registry.versionOn("cs1", 2)).isEmpty();
        assertThat(registry.versionOn("cs1", 3)).hasValue(1);
    }

    @Test
    void aNewerCopyQueuesTheOlderCopiesElsewhereForReviewButNotEqualOrNewerOnes() {
        registry.register("cs1", "h1", 1, 100, 50, List.of(chunk(9, 1)));
        registry.register("cs2", "h2", 1, 100, 50, List.of(chunk(9, 1)));
        registry.register("cs3", "h3", 1, 100, 50, List.of(chunk(9, 2)));
        registry.takeForReview("cs1", 10);
        registry.takeForReview("cs2", 10);
        registry.takeForReview("cs3", 10);

        registry.heartbeat("cs2", 100, 50, List.of(chunk(9, 2)), List.of(), List.of());
        assertThat(registry.takeForReview("cs1", 10)).containsExactly(9L);
        assertThat(registry.takeForReview("cs3", 10)).isEmpty();
    }

    @Test
    void deletedReplicasAreForgottenWithoutCountingAsDamageAndLostOnesCount() {
        registry.register("cs1", "h1", 1, 100, 50, List.of(chunk(1, 1), chunk(2, 1), chunk(3, 1)));

        registry.heartbeat("cs1", 100, 50, List.of(), List.of(chunk(1, 1)), List.of());
        assertThat(registry.versionOn("cs1", 1)).isEmpty();
        assertThat(registry.replicas(1, 1)).isEmpty();
        assertThat(registry.damagedReplicas("cs1")).isZero();

        registry.heartbeat("cs1", 100, 50, List.of(), List.of(), List.of(chunk(2, 1)));
        assertThat(registry.versionOn("cs1", 2)).isEmpty();
        assertThat(registry.damagedReplicas("cs1")).isEqualTo(1);
        assertThat(registry.versionOn("cs1", 3)).hasValue(1);
        assertThat(registry.servers()).singleElement().extracting(ChunkServerView::chunkCount).isEqualTo(1L);
    }

    @Test
    void placementPrefersFreeSpaceBreaksTiesRandomlyAndSkipsExcludedAndDeadServers() {
        List<ChunkServerView> servers = List.of(
                new ChunkServerView("a", "h", 1, 100, 10, 0, 0, true),
                new ChunkServerView("b", "h", 1, 100, 90, 0, 0, true),
                new ChunkServerView("c", "h", 1, 100, 50, 0, 0, true),
                new ChunkServerView("d", "h", 1, 100, 50, 0, 0, true),
                new ChunkServerView("dead", "h", 1, 100, 99, 0, 0, false));
        SplittableRandom random = new SplittableRandom(42);
        java.util.Set<String> secondPicks = new java.util.HashSet<>();
        for (int i = 0; i < 50; i++) {
            List<ChunkServerView> chosen = ChunkPlacement.chooseForNewChunk(servers, 2, List.of("a"), random);
            assertThat(chosen).hasSize(2);
            assertThat(chosen.get(0).serverId()).isEqualTo("b");
            secondPicks.add(chosen.get(1).serverId());
        }
        assertThat(secondPicks).containsExactlyInAnyOrder("c", "d");
        assertThat(ChunkPlacement.chooseForNewChunk(servers, 9, List.of(), random))
                .extracting(ChunkServerView::serverId).doesNotContain("dead").hasSize(4);
    }

    /** Regression: a read right after a write session failed with "no valid replica" until the next heartbeat. */
    @Test
    void heartbeatCollectedBeforeAWriteChainDoesNotMakeTheNewCopyLookStale() {
        registry.register("cs1", "h1", 1, 100, 50, List.of(chunk(9, 1)));
        registry.recordChain(9, 2, List.of("cs1"));
        registry.heartbeat("cs1", 100, 50, List.of(chunk(9, 1)), List.of(), List.of());
        assertThat(registry.versionOn("cs1", 9)).hasValue(2);

        registry.heartbeat("cs1", 100, 50, List.of(chunk(9, 2)), List.of(), List.of());
        // Once the chain's version is confirmed, the server's reports are taken as they come again.
        registry.heartbeat("cs1", 100, 50, List.of(chunk(9, 1)), List.of(), List.of());
        assertThat(registry.versionOn("cs1", 9)).hasValue(1);
    }
}
