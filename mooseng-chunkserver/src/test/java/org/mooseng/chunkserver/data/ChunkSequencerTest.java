package org.mooseng.chunkserver.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mooseng.common.Status;
import org.mooseng.common.StatusException;
import org.mooseng.protocol.data.DataFrame;

class ChunkSequencerTest {
    private static final long WAIT_SECONDS = 10;
    private static final CompletableFuture<DataFrame> FORWARDED = CompletableFuture.completedFuture(new DataFrame.Ok(0));

    private final ExecutorService disk = Executors.newFixedThreadPool(4);
    private final ChunkSequencer sequencer = new ChunkSequencer(disk);

    @AfterEach
    void stop() {
        disk.shutdownNow();
    }

    private static void join(List<CompletableFuture<Void>> futures) throws Exception {
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    @Test
    void updatesOfOneChunkRunOneAtATimeInAcceptanceOrderAndLeaveNoEntry() throws Exception {
        List<Integer> applied = new CopyOnWriteArrayList<>();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        List<CompletableFuture<Void>> locals = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            int index = i;
            locals.add(sequencer.accept(42, () -> {
                mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
                Thread.yield();
                applied.add(index);
                running.decrementAndGet();
            }, () -> FORWARDED).local());
        }
        join(locals);

        assertThat(applied).isEqualTo(IntStream.range(0, 300).boxed().toList());
        assertThat(mostAtOnce).hasValue(1);
        await().atMost(Duration.ofSeconds(WAIT_SECONDS)).until(() -> sequencer.busyChunks() == 0);
    }

    @Test
    void differentChunksRunInParallel() throws Exception {
        CountDownLatch otherChunkRan = new CountDownLatch(1);
        AtomicBoolean sawOtherChunk = new AtomicBoolean();
        CompletableFuture<Void> first = sequencer.accept(1, () -> {
            try {
                sawOtherChunk.set(otherChunkRan.await(WAIT_SECONDS, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, () -> FORWARDED).local();
        CompletableFuture<Void> second = sequencer.accept(2, otherChunkRan::countDown, () -> FORWARDED).local();
        join(List.of(first, second));
        assertThat(sawOtherChunk).as("chunk 2 ran while chunk 1 was busy").isTrue();
    }

    @Test
    void aFailedUpdateDoesNotStopTheOnesAfterIt() throws Exception {
        List<Integer> applied = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> failing = sequencer.accept(5, () -> {
            throw new StatusException(Status.ESTALE, "chunk 0000000000000005 v2: replica is v3");
        }, () -> FORWARDED).local();
        CompletableFuture<Void> next = sequencer.accept(5, () -> applied.add(1), () -> FORWARDED).local();

        next.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(applied).containsExactly(1);
        assertThat(failing).isCompletedExceptionally();
        assertThat(failing.exceptionNow()).as("the frame's own error").isInstanceOf(StatusException.class);
    }

    @Test
    void localWorkAndForwardOfConcurrentAcceptsHaveTheSameOrder() throws Exception {
        List<String> applied = new CopyOnWriteArrayList<>();
        List<String> forwarded = new CopyOnWriteArrayList<>();
        List<CompletableFuture<Void>> locals = new CopyOnWriteArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> acceptors = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int thread = t;
            acceptors.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 200; i++) {
                    String frame = thread + "/" + i;
                    locals.add(sequencer.accept(9, () -> applied.add(frame), () -> {
                        forwarded.add(frame);
                        return FORWARDED;
                    }).local());
                }
            }));
        }
        go.countDown();
        for (Thread acceptor : acceptors) {
            acceptor.join();
        }
        join(locals);
        assertThat(applied).hasSize(800).isEqualTo(forwarded);
    }

    @Test
    void refusedByAFullDiskQueueIsNeitherAppliedNorForwarded() {
        ChunkSequencer full = new ChunkSequencer(task -> {
            throw new RejectedExecutionException("queue full");
        });
        AtomicBoolean forwarded = new AtomicBoolean();
        AtomicBoolean applied = new AtomicBoolean();
        ChunkSequencer.Accepted accepted = full.accept(3, () -> applied.set(true), () -> {
            forwarded.set(true);
            return FORWARDED;
        });
        assertThat(accepted.local()).failsWithin(Duration.ZERO).withThrowableOfType(ExecutionException.class)
                .havingRootCause().isInstanceOf(RejectedExecutionException.class);
        assertThat(forwarded).isFalse();
        assertThat(applied).isFalse();
        assertThat(full.busyChunks()).isZero();
    }

    @Test
    void acceptedUpdateRunsInItsTurnEvenWhenTheDiskQueueFillsUp() throws Exception {
        AtomicBoolean queueFull = new AtomicBoolean();
        ExecutorService one = Executors.newSingleThreadExecutor();
        try {
            ChunkSequencer sequencer = new ChunkSequencer(task -> {
                if (queueFull.get()) {
                    throw new RejectedExecutionException("queue full");
                }
                one.execute(task);
            });
            CountDownLatch release = new CountDownLatch(1);
            List<Integer> applied = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> first = sequencer.accept(4, () -> {
                try {
                    release.await(WAIT_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                applied.add(1);
            }, () -> FORWARDED).local();
            CompletableFuture<Void> second = sequencer.accept(4, () -> applied.add(2), () -> FORWARDED).local();
            queueFull.set(true);
            release.countDown();

            join(List.of(first, second));
            assertThat(applied).containsExactly(1, 2);
        } finally {
            one.shutdownNow();
        }
    }

    @Test
    void aSyncQueuedBehindWritesRunsAfterAllOfThemAndBeforeLaterOnes() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<String> log = new CopyOnWriteArrayList<>();
        sequencer.accept(7, () -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            log.add("apply blocker");
        }, () -> FORWARDED);
        List<CompletableFuture<Void>> queued = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int frame = i;
            queued.add(sequencer.accept(7, () -> log.add("apply " + frame), () -> FORWARDED).local());
        }
        CompletableFuture<Void> sync = sequencer.accept(7, () -> log.add("sync"), () -> FORWARDED).local();
        CompletableFuture<Void> later = sequencer.accept(7, () -> log.add("apply later"), () -> FORWARDED).local();
        assertThat(sync).isNotDone();

        release.countDown();
        join(List.of(sync, later));

        assertThat(log).containsExactly("apply blocker", "apply 0", "apply 1", "apply 2", "sync", "apply later");
        assertThat(queued).allMatch(CompletableFuture::isDone);
    }

    /** Regression: chunks' state was once shared in a plain map written under different stripes' locks. */
    @Test
    void everyUpdateIsAppliedOnceWhileManyChunksQueueUpdatesAtOnce() throws Exception {
        AtomicInteger applied = new AtomicInteger();
        for (int round = 0; round < 10; round++) {
            List<CompletableFuture<Void>> locals = new CopyOnWriteArrayList<>();
            List<Thread> acceptors = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                acceptors.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < 900; i++) { // 3,600 a round: below the sequencer's bound on queued updates
                        long chunk = thread * 1000L + i % 300;
                        locals.add(sequencer.accept(chunk, applied::incrementAndGet, () -> FORWARDED).local());
                    }
                }));
            }
            for (Thread acceptor : acceptors) {
                acceptor.join();
            }
            join(locals);
        }

        assertThat(applied).hasValue(36_000);
        await().atMost(Duration.ofSeconds(WAIT_SECONDS)).until(() -> sequencer.busyChunks() == 0);
    }
}
