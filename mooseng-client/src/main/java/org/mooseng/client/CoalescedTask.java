package org.mooseng.client;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A task run in the background when asked for, at most one run waiting at a time: asking
 * again while a run waits to start joins that run (a run already started does not count, so
 * whatever changed before the ask is seen). Asks after {@link #close} are dropped.
 */
final class CoalescedTask implements AutoCloseable {
    private final Executor executor;
    /** The executor this task made for itself and stops at close; null when given one. */
    private final ExecutorService own;
    private final Runnable task;
    private final AtomicBoolean queued = new AtomicBoolean();

    /** Runs on an executor of the caller's, which the caller stops. */
    CoalescedTask(Executor executor, Runnable task) {
        this.executor = executor;
        this.own = null;
        this.task = task;
    }

    /** Runs on a daemon thread of its own with this name, stopped by {@link #close}. */
    CoalescedTask(String threadName, Runnable task) {
        this.own = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name(threadName).factory());
        this.executor = own;
        this.task = task;
    }

    void request() {
        if (!queued.compareAndSet(false, true)) {
            return;
        }
        try {
            executor.execute(() -> {
                queued.set(false);
                task.run();
            });
        } catch (RejectedExecutionException e) {
            queued.set(false); // closing
        }
    }

    /** Stops the own thread, interrupting a run, and waits up to 5 s for it to end. */
    @Override
    public void close() {
        if (own == null) {
            return;
        }
        own.shutdownNow();
        try {
            own.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
