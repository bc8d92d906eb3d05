package org.mooseng.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.mooseng.proto.ReadChunkReply;

class LocationCacheTest {
    private final AtomicLong nanos = new AtomicLong(1_000);
    private final LocationCache cache = new LocationCache(nanos::get);
    private final ReadChunkReply reply = ReadChunkReply.newBuilder().setFileSize(42).build();

    @Test
    void aLocationIsReusedForItsTimeToLiveAndNotAfter() {
        cache.put(3, reply, cache.generation());
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(LocationCache.TTL_MS));
        assertThat(cache.get(3)).isSameAs(reply);
        assertThat(cache.get(4)).isNull();
        nanos.incrementAndGet();
        assertThat(cache.get(3)).isNull();
    }

    @Test
    void anAnswerAskedForBeforeAClearIsNotKept() {
        long before = cache.generation();
        cache.clear(); // the handle wrote while the master was being asked
        cache.put(3, reply, before);
        assertThat(cache.get(3)).isNull();
        cache.put(3, reply, cache.generation());
        assertThat(cache.get(3)).isSameAs(reply);
    }

    @Test
    void theFileSizeIsTheNewestFreshAnswersAndUnknownWithoutOne() {
        assertThat(cache.fileSize()).isEqualTo(-1);
        cache.put(0, reply, cache.generation());
        nanos.addAndGet(10);
        cache.put(1, ReadChunkReply.newBuilder().setFileSize(99).build(), cache.generation());
        assertThat(cache.fileSize()).as("the later answer").isEqualTo(99);

        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(LocationCache.TTL_MS) + 1);
        assertThat(cache.fileSize()).as("none fresh").isEqualTo(-1);
    }
}
