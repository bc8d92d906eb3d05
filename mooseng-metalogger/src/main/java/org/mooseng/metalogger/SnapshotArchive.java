package org.mooseng.metalogger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The archive's snapshots: {@code snapshots/<index, 20 digits>/} holding {@code store/} (a
 * namespace store checkpoint, copied, never hard-linked to the live store, so damage to one
 * cannot reach the other) and {@code manifest} (sizes and CRC32C of every file, written and
 * synced last). A snapshot is built under {@code <index>.partial/} and renamed into place, so a
 * crash leaves either a complete snapshot or a partial directory that is removed later.
 */
final class SnapshotArchive {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotArchive.class);
    static final String MANIFEST = "manifest";
    static final String STORE_DIR = "store";
    private static final String PARTIAL = ".partial";
    private static final int COPY_BUFFER_BYTES = 1 << 20;

    private final Path dir;

    SnapshotArchive(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    static String dirName(long index) {
        return String.format("%020d", index);
    }

    Path snapshotDir(long index) {
        return dir.resolve(dirName(index));
    }

    /**
     * Copies a store checkpoint into a new snapshot at {@code index} with its manifest. A
     * complete snapshot already at that index is kept if it verifies, replaced otherwise.
     */
    SnapshotManifest write(Path checkpoint, long index, Optional<Instant> time, String clusterId) throws IOException {
        Path target = snapshotDir(index);
        if (Files.isDirectory(target)) {
            try {
                return verify(index);
            } catch (ArchiveCorruptException e) {
                LOG.warn("metalogger archive: replacing damaged snapshot {}: {}", index, e.getMessage());
                deleteRecursively(target);
            }
        }
        Files.createDirectories(dir);
        Path partial = dir.resolve(dirName(index) + PARTIAL);
        deleteRecursively(partial);
        Path store = partial.resolve(STORE_DIR);
        Files.createDirectories(store);
        List<SnapshotManifest.FileEntry> entries = new ArrayList<>();
        for (Path file : regularFiles(checkpoint)) {
            String relative = checkpoint.relativize(file).toString().replace('\\', '/');
            Path copy = store.resolve(relative);
            Files.createDirectories(copy.getParent());
            entries.add(copyWithCrc(file, copy, STORE_DIR + "/" + relative));
        }
        LogArchive.syncDirectory(store);
        SnapshotManifest manifest = new SnapshotManifest(index, time, clusterId, entries);
        Path tmp = partial.resolve(MANIFEST + ".tmp");
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer bytes = ByteBuffer.wrap(manifest.render().getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
            out.force(true);
        }
        Files.move(tmp, partial.resolve(MANIFEST), StandardCopyOption.ATOMIC_MOVE);
        LogArchive.syncDirectory(partial);
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        LogArchive.syncDirectory(dir);
        return manifest;
    }

    /** Complete snapshots (those with a manifest file), ascending by index. */
    List<Long> indices() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(dir)) {
            return children.filter(p -> Files.isRegularFile(p.resolve(MANIFEST)))
                    .map(p -> p.getFileName().toString())
                    .filter(name -> name.length() == 20 && name.chars().allMatch(Character::isDigit))
                    .map(Long::parseLong).sorted().toList();
        }
    }

    /** The parsed manifest of a snapshot, checked against its own CRC and its directory name. */
    SnapshotManifest manifest(long index) throws IOException {
        Path file = snapshotDir(index).resolve(MANIFEST);
        SnapshotManifest manifest;
        try {
            manifest = SnapshotManifest.parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            throw new ArchiveCorruptException(file, "missing");
        } catch (IllegalArgumentException | java.nio.charset.CharacterCodingException e) {
            throw new ArchiveCorruptException(file, e.getMessage());
        }
        if (manifest.index() != index) {
            throw new ArchiveCorruptException(file, "says index " + manifest.index() + " in the snapshot of " + index);
        }
        return manifest;
    }

    /** Reads every file of a snapshot and checks sizes and CRCs against its manifest. */
    SnapshotManifest verify(long index) throws IOException {
        SnapshotManifest manifest = manifest(index);
        for (SnapshotManifest.FileEntry entry : manifest.files()) {
            Path file = snapshotDir(index).resolve(entry.name());
            check(file, entry, crcOf(file));
        }
        return manifest;
    }

    /**
     * Copies a snapshot's store files into {@code target}, checking each against the manifest
     * as it goes (one read of every file). On damage the copies made so far stay for the caller
     * to remove.
     */
    void copyStoreVerified(SnapshotManifest manifest, Path target) throws IOException {
        Path base = snapshotDir(manifest.index());
        for (SnapshotManifest.FileEntry entry : manifest.files()) {
            if (!entry.name().startsWith(STORE_DIR + "/")) {
                continue;
            }
            Path source = base.resolve(entry.name());
            Path copy = target.resolve(entry.name().substring(STORE_DIR.length() + 1));
            Files.createDirectories(copy.getParent());
            if (!Files.isRegularFile(source)) {
                throw new ArchiveCorruptException(source, "listed in the manifest but missing");
            }
            SnapshotManifest.FileEntry copied = copyWithCrc(source, copy, entry.name());
            check(source, entry, copied);
        }
    }

    private static void check(Path file, SnapshotManifest.FileEntry expected, SnapshotManifest.FileEntry actual)
            throws ArchiveCorruptException {
        if (actual.sizeBytes() != expected.sizeBytes()) {
            throw new ArchiveCorruptException(file, "size " + actual.sizeBytes() + " bytes, manifest says "
                    + expected.sizeBytes());
        }
        if (actual.crc32c() != expected.crc32c()) {
            throw new ArchiveCorruptException(file, String.format("CRC32C %08x, manifest says %08x",
                    actual.crc32c(), expected.crc32c()));
        }
    }

    /**
     * Keeps the newest {@code kept} complete snapshots, deleting older ones and leftover partial
     * directories. Returns the oldest kept index (empty when there is none).
     */
    Optional<Long> retain(int kept) throws IOException {
        List<Long> all = indices();
        int drop = Math.max(0, all.size() - kept);
        for (long index : all.subList(0, drop)) {
            deleteRecursively(snapshotDir(index));
            LOG.info("metalogger archive: deleted snapshot {} (keeping {})", index, kept);
        }
        deletePartial();
        List<Long> remaining = all.subList(drop, all.size());
        return remaining.isEmpty() ? Optional.empty() : Optional.of(remaining.getFirst());
    }

    /** Removes snapshot directories a crash left unfinished. */
    void deletePartial() throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> children = Files.list(dir)) {
            for (Path p : children.filter(p -> p.getFileName().toString().endsWith(PARTIAL)).toList()) {
                deleteRecursively(p);
            }
        }
    }

    private static SnapshotManifest.FileEntry crcOf(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new ArchiveCorruptException(file, "listed in the manifest but missing");
        }
        CRC32C crc = new CRC32C();
        long size = 0;
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(COPY_BUFFER_BYTES);
            int n;
            while ((n = in.read(buf.clear())) > 0) {
                crc.update(buf.flip());
                size += n;
            }
        }
        return new SnapshotManifest.FileEntry(file.getFileName().toString(), size, (int) crc.getValue());
    }

    private static SnapshotManifest.FileEntry copyWithCrc(Path source, Path target, String name) throws IOException {
        CRC32C crc = new CRC32C();
        long size = 0;
        try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.allocate(COPY_BUFFER_BYTES);
            int n;
            while ((n = in.read(buf.clear())) > 0) {
                buf.flip();
                crc.update(buf.duplicate());
                while (buf.hasRemaining()) {
                    out.write(buf);
                }
                size += n;
            }
            out.force(true);
        }
        return new SnapshotManifest.FileEntry(name, size, (int) crc.getValue());
    }

    static List<Path> regularFiles(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).sorted().toList();
        }
    }

    static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
