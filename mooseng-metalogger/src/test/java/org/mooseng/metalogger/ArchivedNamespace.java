package org.mooseng.metalogger;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.mooseng.meta.MetaStore;

/**
 * A namespace store fed the way the metalogger feeds its copy: each entry archived and synced,
 * then applied; snapshots on demand. Plus helpers for the stores restores are compared with.
 */
final class ArchivedNamespace implements AutoCloseable {
    final Path dir;
    final MetaStore store;
    final MetadataArchive archive;
    private final Path scratch;
    private int checkpoints;
    private OpScript.Entry last;

    ArchivedNamespace(Path dir, long segmentBytes, int snapshotsKept) throws IOException {
        this.dir = dir;
        this.store = MetaStore.open(dir.resolve("store"), 10_000);
        this.archive = MetadataArchive.open(dir, segmentBytes, snapshotsKept);
        this.scratch = java.nio.file.Files.createDirectories(dir.resolve("scratch"));
    }

    /** Archives the entries, syncs once (as the metalogger does per batch), then applies them. */
    void apply(List<OpScript.Entry> entries) throws IOException {
        for (OpScript.Entry entry : entries) {
            archive.append(entry.record());
        }
        archive.sync();
        for (OpScript.Entry entry : entries) {
            store.apply(entry.index(), entry.op());
            last = entry;
        }
    }

    /** An archive snapshot of the store as it is now. */
    SnapshotManifest snapshot() throws IOException {
        Path checkpoint = scratch.resolve("cp" + ++checkpoints);
        store.checkpoint(checkpoint);
        SnapshotManifest manifest = archive.addSnapshot(checkpoint, store.lastAppliedIndex(),
                Optional.ofNullable(last).map(OpScript.Entry::time), store.clusterId().orElse(""));
        SnapshotArchive.deleteRecursively(checkpoint);
        return manifest;
    }

    /** A fresh store that applied exactly the entries {@code keep} accepts, in order. */
    static MetaStore reference(Path dir, List<OpScript.Entry> entries, Predicate<OpScript.Entry> keep)
            throws IOException {
        MetaStore store = MetaStore.open(dir, 10_000);
        for (OpScript.Entry entry : entries) {
            if (keep.test(entry)) {
                store.apply(entry.index(), entry.op());
            }
        }
        return store;
    }

    static String digest(MetaStore store) {
        return NamespaceDigest.of(store, store);
    }

    @Override
    public void close() throws IOException {
        archive.close();
        store.close();
    }
}
