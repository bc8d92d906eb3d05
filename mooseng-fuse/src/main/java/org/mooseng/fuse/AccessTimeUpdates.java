package org.mooseng.fuse;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import org.mooseng.client.FileStat;
import org.mooseng.client.MoosengClient;
import org.mooseng.client.MoosengException;
import org.mooseng.common.InodeId;
import org.mooseng.fuse.ll.KernelCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * atime on read, as a local file system keeps it under the mount's {@link AccessTimePolicy}.
 * A read never waits for it: the inodes read (at most once per open handle until the handle
 * writes) and the directories listed are queued, and one background thread sends what queued
 * within {@link #LINGER_MS} as one metadata change ({@link MoosengClient#touchAccessTimes}),
 * in which the master applies the relatime rule to each inode as it is then. So reading 2,000
 * files just written costs a few hundred commits at most instead of 2,000, and no stat.
 * Attribute replies (getattr, lookup) wait a bounded time for an update queued or in flight,
 * so a stat right after a read shows it; after each update the kernel's cached attributes are
 * dropped. A failed update is logged at DEBUG and forgotten: atime is advisory.
 *
 * <p>The update is made with the mount's own identity: reading a file does not require the
 * write permission the master asks of a caller who touches times.
 */
final class AccessTimeUpdates implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AccessTimeUpdates.class);
    private static final int MAX_QUEUED_UPDATES = 4096;
    /**
     * How long an update waits for others to share its commit. Reads come one every few
     * hundred microseconds (a directory tree listed and removed, small files read back), and
     * one commit per read was a fifth of the time of reading small files just written.
     */
    static final long LINGER_MS = 10;
    /** How long an attribute reply waits for an update in flight; a commit takes a few ms. */
    static final long PENDING_WAIT_MS = 1000;
    private static final long CLOSE_WAIT_MS = 2000;

    private final MoosengClient client;
    private final AccessTimePolicy policy;
    private final Clock clock;
    private final ExecutorService sender = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("mooseng-atime").factory());
    /** Updates queued or being sent, by inode; an entry lives only that long, so the queue bounds it. */
    private final ConcurrentHashMap<Long, CompletableFuture<Void>> pending = new ConcurrentHashMap<>();
    /** Inodes waiting for the next change, and whether the sender is at work; guarded by itself. */
    private final List<Long> queued = new ArrayList<>();
    private boolean sending;
    /** An attribute reply waits: send what is queued without lingering. */
    private boolean urgent;
    private boolean closing;
    private final LongAdder updatesCommitted = new LongAdder();
    private volatile KernelCache kernelCache = KernelCache.NONE;

    /** {@code client}: the mount's own identity. */
    AccessTimeUpdates(MoosengClient client, AccessTimePolicy policy, Clock clock) {
        this.client = client;
        this.policy = policy;
        this.clock = clock;
    }

    AccessTimePolicy policy() {
        return policy;
    }

    void useKernelCache(KernelCache cache) {
        this.kernelCache = cache;
    }

    /** After a successful read through {@code open}: checks the rule once for this handle. */
    void afterRead(OpenFile open) {
        // A plain read first: every read calls this, and the handle is disarmed after the first.
        if (!policy.updatesNothing() && open.atimeCheckDue().get() && open.atimeCheckDue().compareAndSet(true, false)) {
            schedule(open.inode());
        }
    }

    /** After the first page of a directory listing (offset 0), once per listing as on a local file system. */
    void afterListingStarted(long directory) {
        if (!policy.updatesNothing() && policy.directories()) {
            schedule(directory);
        }
    }

    /**
     * A read-only open that keeps the kernel's cached pages: its reads may be served from the
     * page cache and never reach the mount, so when the rule fires on the attributes seen at
     * open the update is made now and the open waits for it (bounded), as a stat after the
     * cached read must show it. Costs nothing when the rule does not fire.
     */
    void atCachedOpen(OpenFile open, FileStat atOpen) {
        if (policy.needsUpdate(atOpen.isDirectory(), atOpen.atime(), atOpen.mtime(), atOpen.ctime(), clock.instant())
                && open.atimeCheckDue().compareAndSet(true, false)) {
            schedule(open.inode());
            awaitPending(open.inode());
        }
    }

    /**
     * Waits (at most {@link #PENDING_WAIT_MS}) for an update of the inode queued or running;
     * true when there was one. Called before attributes are replied or times are set
     * explicitly, so an update never lands after a utimensat that followed the read.
     */
    boolean awaitPending(long inode) {
        CompletableFuture<Void> update = pending.get(inode);
        if (update == null) {
            return false;
        }
        synchronized (queued) {
            urgent = true;
            queued.notifyAll();
        }
        try {
            update.get(PENDING_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("inode {}: atime update still running after {} ms", inode, PENDING_WAIT_MS);
        }
        return true;
    }

    /** Metadata changes sent for atime (each for all the inodes queued then), for tests and diagnostics. */
    long updatesCommitted() {
        return updatesCommitted.sum();
    }

    private void schedule(long inode) {
        CompletableFuture<Void> created = new CompletableFuture<>();
        CompletableFuture<Void> running = pending.putIfAbsent(inode, created);
        if (running != null) {
            return; // the update queued or in flight stamps the time of this access too
        }
        synchronized (queued) {
            if (queued.size() < MAX_QUEUED_UPDATES) {
                queued.add(inode);
                if (!sending) {
                    try {
                        sender.execute(this::sendQueued);
                        sending = true;
                    } catch (RejectedExecutionException e) {
                        queued.remove(queued.size() - 1); // closing
                    }
                }
                if (sending) {
                    return;
                }
            }
        }
        pending.remove(inode, created);
        created.complete(null);
        LOG.debug("inode {}: atime update dropped ({} queued, or closing)", inode, MAX_QUEUED_UPDATES);
    }

    /**
     * Sends what is queued, one change at a time, until nothing is. Each change waits up to
     * {@link #LINGER_MS} for more reads to join it, unless an attribute reply waits for one
     * of its inodes or the mount closes.
     */
    private void sendQueued() {
        while (true) {
            List<Long> batch;
            synchronized (queued) {
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LINGER_MS);
                long left;
                while (!urgent && !closing && queued.size() < MAX_QUEUED_UPDATES
                        && (left = deadline - System.nanoTime()) > 0) {
                    try {
                        TimeUnit.NANOSECONDS.timedWait(queued, left);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
                urgent = false;
                if (queued.isEmpty()) {
                    sending = false;
                    return;
                }
                batch = List.copyOf(queued);
                queued.clear();
            }
            try {
                client.touchAccessTimes(batch.stream().map(InodeId::new).toList(),
                        policy.mode() == AccessTimePolicy.Mode.RELATIME);
                updatesCommitted.increment();
            } catch (MoosengException e) {
                LOG.debug("atime update of {} inodes failed: {}", batch.size(), e.getMessage());
            } catch (RuntimeException e) {
                LOG.debug("atime update of {} inodes failed: {}", batch.size(), e.toString());
            }
            for (long inode : batch) {
                kernelCache.invalidateAttributes(inode);
                CompletableFuture<Void> done = pending.remove(inode);
                if (done != null) {
                    done.complete(null);
                }
            }
        }
    }

    @Override
    public void close() {
        synchronized (queued) {
            closing = true;
            queued.notifyAll();
        }
        sender.shutdown();
        try {
            if (!sender.awaitTermination(CLOSE_WAIT_MS, TimeUnit.MILLISECONDS)) {
                sender.shutdownNow();
            }
        } catch (InterruptedException e) {
            sender.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
