package org.mooseng.metalogger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.mooseng.meta.MetaStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes archive snapshots in two steps: a store checkpoint (hard links, fast) on the caller's
 * thread, where no apply can run concurrently, then a copy with CRCs into the archive on a
 * background thread, so applying the log is stalled only for the checkpoint.
 */
final class SnapshotTaker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotTaker.class);
    /** Snapshots waiting for their copy; more are skipped (the next interval takes one). */
    private static final int MAX_PENDING = 2;

    private final MetaStore store;
    private final MetadataArchive archive;
    private final Path scratchDir;
    private final ExecutorService copier = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("metalogger-snapshot").factory());
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicLong sequence = new AtomicLong();
    private volatile CompletableFuture<Void> last = CompletableFuture.completedFuture(null);
    private volatile String lastError = "";

    SnapshotTaker(MetaStore store, MetadataArchive archive, Path scratchDir) throws IOException {
        this.store = store;
        this.archive = archive;
        this.scratchDir = scratchDir;
        SnapshotArchive.deleteRecursively(scratchDir);
        Files.createDirectories(scratchDir);
    }

    /**
     * Checkpoints the store now and queues its copy into the archive as the snapshot of the
     * store's applied index. Call only where nothing applies to the store concurrently.
     *
     * @param time leader time of the op at the applied index, when known
     */
    CompletableFuture<Void> take(Optional<Instant> time) throws IOException {
        long index = store.lastAppliedIndex();
        if (index == 0) {
            return CompletableFuture.completedFuture(null);
        }
        if (pending.get() >= MAX_PENDING) {
            LOG.warn("metalogger: snapshot at index {} skipped, {} still being copied", index, pending.get());
            return last;
        }
        String clusterId = store.clusterId().orElse("");
        Path checkpoint = scratchDir.resolve(index + "-" + sequence.incrementAndGet());
        store.checkpoint(checkpoint);
        pending.incrementAndGet();
        CompletableFuture<Void> copy = CompletableFuture.runAsync(() -> {
            try {
                archive.addSnapshot(checkpoint, index, time, clusterId);
                lastError = "";
            } catch (IOException | RuntimeException e) {
                lastError = "snapshot " + index + ": " + e.getMessage();
                LOG.error("metalogger: archive snapshot at index {} failed", index, e);
                throw new java.util.concurrent.CompletionException(e);
            } finally {
                pending.decrementAndGet();
                try {
                    SnapshotArchive.deleteRecursively(checkpoint);
                } catch (IOException e) {
                    LOG.warn("metalogger: cannot remove scratch checkpoint {}", checkpoint, e);
                }
            }
        }, copier);
        last = copy;
        return copy;
    }

    /** Completes once every snapshot queued so far is in the archive (or failed). */
    CompletableFuture<Void> idle() {
        return CompletableFuture.runAsync(() -> { }, copier);
    }

    /** The last failure to write a snapshot; empty after a success. */
    String lastError() {
        return lastError;
    }

    @Override
    public void close() {
        copier.shutdown();
        try {
            if (!copier.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("metalogger: snapshot copy still running at close");
                copier.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            copier.shutdownNow();
        }
    }
}
