package org.mooseng.fuse;

import java.time.Clock;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.mooseng.client.FileStat;
import org.mooseng.client.MoosengClient;
import org.mooseng.client.MoosengException;
import org.mooseng.common.InodeId;
import org.mooseng.fuse.ll.KernelCache;
import org.mooseng.proto.SetAttrOp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * atime on read, as a local file system keeps it under the mount's {@link AccessTimePolicy}.
 * A read never waits for it: the check (a stat) and the update (a SetAttr of atime only, one
 * Raft commit) run on a small bounded pool after the read is answered, at most once per open
 * handle until the handle writes, and at most one at a time per inode. Attribute replies
 * (getattr, lookup) wait a bounded time for an update in flight, so a stat right after a read
 * shows it; after each update the kernel's cached attributes are dropped. A failed update is
 * logged at DEBUG and forgotten: atime is advisory.
 *
 * <p>The update is made with the mount's own identity: reading a file does not require the
 * write permission the master asks of a caller who touches times.
 */
final class AccessTimeUpdates implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AccessTimeUpdates.class);
    private static final int THREADS = 4;
    private static final int MAX_QUEUED_UPDATES = 1024;
    /** How long an attribute reply waits for an update in flight; a commit takes a few ms. */
    static final long PENDING_WAIT_MS = 1000;
    private static final long CLOSE_WAIT_MS = 2000;

    private final MoosengClient client;
    private final AccessTimePolicy policy;
    private final Clock clock;
    private final ThreadPoolExecutor pool;
    /** Updates queued or running, by inode; an entry lives only that long, so the queue bounds it. */
    private final ConcurrentHashMap<Long, CompletableFuture<Void>> pending = new ConcurrentHashMap<>();
    private final LongAdder updatesCommitted = new LongAdder();
    private volatile KernelCache kernelCache = KernelCache.NONE;

    /** {@code client}: the mount's own identity. */
    AccessTimeUpdates(MoosengClient client, AccessTimePolicy policy, Clock clock) {
        this.client = client;
        this.policy = policy;
        this.clock = clock;
        AtomicInteger threadNumber = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(MAX_QUEUED_UPDATES), runnable -> {
                    Thread thread = new Thread(runnable, "mooseng-atime-" + threadNumber.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                }, new ThreadPoolExecutor.AbortPolicy());
        pool.allowCoreThreadTimeOut(true);
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
        if (!policy.updatesNothing()) {
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
        try {
            update.get(PENDING_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("inode {}: atime update still running after {} ms", inode, PENDING_WAIT_MS);
        }
        return true;
    }

    /** SetAttr commits made for atime, for tests and diagnostics. */
    long updatesCommitted() {
        return updatesCommitted.sum();
    }

    private void schedule(long inode) {
        CompletableFuture<Void> created = new CompletableFuture<>();
        CompletableFuture<Void> running = pending.putIfAbsent(inode, created);
        if (running != null) {
            return; // the update in flight stamps the time of this access too
        }
        try {
            pool.execute(() -> {
                try {
                    update(inode);
                } finally {
                    pending.remove(inode, created);
                    created.complete(null);
                }
            });
        } catch (RejectedExecutionException e) {
            pending.remove(inode, created);
            created.complete(null);
            LOG.debug("inode {}: atime update dropped ({} queued, or closing)", inode, MAX_QUEUED_UPDATES);
        }
    }

    private void update(long inode) {
        try {
            InodeId id = new InodeId(inode);
            FileStat stat = client.stat(id);
            if (!policy.needsUpdate(stat.isDirectory(), stat.atime(), stat.mtime(), stat.ctime(), clock.instant())) {
                return;
            }
            client.setAttr(id, SetAttrOp.newBuilder().setValid(SetAttrOp.Field.ACCESSED_VALUE));
            updatesCommitted.increment();
            kernelCache.invalidateAttributes(inode);
        } catch (MoosengException e) {
            LOG.debug("inode {}: atime update failed: {}", inode, e.getMessage());
        } catch (RuntimeException e) {
            LOG.debug("inode {}: atime update failed: {}", inode, e.toString());
        }
    }

    @Override
    public void close() {
        pool.shutdown();
        try {
            if (!pool.awaitTermination(CLOSE_WAIT_MS, TimeUnit.MILLISECONDS)) {
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
