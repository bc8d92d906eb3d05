package org.mooseng.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.mooseng.client.UserCredentials;

class XattrCacheTest {
    private static final UserCredentials ALICE = new UserCredentials(1000, 1000, List.of());
    private static final UserCredentials BOB = new UserCredentials(1001, 1001, List.of());
    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong clock = new AtomicLong(5 * SECOND);
    private final XattrCache cache = new XattrCache(1.0, clock::get);

    @Test
    void keepsValuesAndAbsenceUntilTheTimeoutPasses() {
        cache.put(7, "user.a", ALICE, new byte[] {1, 2}, cache.stamp());
        cache.put(7, "security.capability", ALICE, null, cache.stamp());

        assertThat(kept(cache, 7, "user.a", ALICE)).containsExactly(1, 2);
        assertThat(cache.get(7, "security.capability", ALICE).orElseThrow().value()).isNull();
        assertThat(cache.get(7, "user.b", ALICE)).isEmpty();

        clock.addAndGet(SECOND - 1);
        assertThat(cache.get(7, "user.a", ALICE)).isPresent();
        clock.addAndGet(1);
        assertThat(cache.get(7, "user.a", ALICE)).isEmpty();
        assertThat(cache.get(7, "security.capability", ALICE)).isEmpty();
    }

    @Test
    void anAnswerIsOnlyForTheIdentityItWasFetchedAs() {
        cache.put(7, "user.a", ALICE, new byte[] {1}, cache.stamp());

        assertThat(cache.get(7, "user.a", BOB)).isEmpty();
        assertThat(cache.get(8, "user.a", ALICE)).isEmpty();
    }

    @Test
    void aChangeDropsTheInodesAnswersOnly() {
        cache.put(7, "user.a", ALICE, new byte[] {1}, cache.stamp());
        cache.put(8, "user.a", ALICE, new byte[] {2}, cache.stamp());

        cache.changed(7);

        assertThat(cache.get(7, "user.a", ALICE)).isEmpty();
        assertThat(cache.get(8, "user.a", ALICE)).isPresent();
    }

    @Test
    void aFetchThatStartedBeforeAChangeIsNotKept() {
        long stamp = cache.stamp();
        cache.changed(7); // a setxattr through this mount while the fetch was in flight
        cache.put(7, "user.a", ALICE, new byte[] {1}, stamp);

        assertThat(cache.get(7, "user.a", ALICE)).isEmpty();

        cache.put(7, "user.a", ALICE, new byte[] {2}, cache.stamp());
        assertThat(kept(cache, 7, "user.a", ALICE)).containsExactly(2);
    }

    @Test
    void keptValuesCannotBeChangedThroughTheArraysHandedInOrOut() {
        byte[] fetched = {1};
        cache.put(7, "user.a", ALICE, fetched, cache.stamp());
        fetched[0] = 9;
        cache.get(7, "user.a", ALICE).orElseThrow().value()[0] = 9;

        assertThat(kept(cache, 7, "user.a", ALICE)).containsExactly(1);
    }

    private static byte[] kept(XattrCache cache, long inode, String name, UserCredentials who) {
        byte[] value = cache.get(inode, name, who).orElseThrow().value();
        assertThat(value).as("a value, not 'no such attribute'").isNotNull();
        return value;
    }

    @Test
    void aZeroTimeoutKeepsNothing() {
        XattrCache off = new XattrCache(0, clock::get);
        off.put(7, "user.a", ALICE, new byte[] {1}, off.stamp());

        assertThat(off.get(7, "user.a", ALICE)).isEmpty();
    }
}
