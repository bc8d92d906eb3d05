package org.mooseng.master.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class WriteLeasesTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final WriteLeases leases = new WriteLeases(now::get, 100);

    @Test
    void aLeaseServesItsVersionUntilItLapses() {
        leases.grant(7, 5, 4, List.of("a", "b"));
        assertThat(leases.current(7, 5)).map(WriteLeases.Lease::chain).contains(List.of("a", "b"));
        assertThat(leases.current(7, 6)).isEmpty();
        now.addAndGet(100);
        assertThat(leases.current(7, 5)).isPresent();
        now.addAndGet(1);
        assertThat(leases.current(7, 5)).isEmpty();
    }

    @Test
    void raisingAVersionUnderACurrentLeaseKeepsItsBase() {
        leases.grant(7, 5, 3, List.of("a", "b"));
        assertThat(leases.baseFor(7, 5)).isEqualTo(3);
        // No lease at that version (another leader, or a lapsed lease): the version itself.
        assertThat(leases.baseFor(7, 6)).isEqualTo(6);
        assertThat(leases.baseFor(8, 2)).isEqualTo(2);
        leases.clear();
        assertThat(leases.baseFor(7, 5)).isEqualTo(5);
    }

    @Test
    void workOfOneInodeRunsInTurnAndAFailureDoesNotStopTheNext() {
        List<String> order = new ArrayList<>();
        CompletableFuture<String> gate = new CompletableFuture<>();
        CompletableFuture<String> first = leases.serialized(1, () -> gate.thenApply(v -> {
            order.add("first");
            return v;
        }));
        CompletableFuture<String> failing = leases.serialized(1, () -> {
            order.add("failing");
            throw new IllegalStateException("boom");
        });
        CompletableFuture<String> third = leases.serialized(1, () -> {
            order.add("third");
            return CompletableFuture.completedFuture("3");
        });
        CompletableFuture<String> otherInode = leases.serialized(2, () -> {
            order.add("other");
            return CompletableFuture.completedFuture("o");
        });
        assertThat(otherInode).isCompletedWithValue("o");
        assertThat(order).containsExactly("other");
        gate.complete("1");
        assertThat(first).isCompletedWithValue("1");
        assertThat(failing).isCompletedExceptionally();
        assertThat(third).isCompletedWithValue("3");
        assertThat(order).containsExactly("other", "first", "failing", "third");
    }
}
