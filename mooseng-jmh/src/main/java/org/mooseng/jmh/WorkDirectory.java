package org.mooseng.jmh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The scratch directory of one benchmark trial: a new directory under the one named by the
 * {@code dir} parameter, removed with everything in it when the trial ends, or when the JVM
 * exits after a failed trial (JMH then skips the tear-down). Pointing {@code -p dir=/mnt/disk}
 * at a real disk measures that disk's fsync.
 */
final class WorkDirectory {
    /** Default of every {@code dir} parameter: the directory of the system property java.io.tmpdir. */
    static final String TMPDIR = "java.io.tmpdir";

    private WorkDirectory() {
    }

    /** Creates {@code base}/{@code prefix}NNNN; {@code base} is a path or {@link #TMPDIR}. */
    static Path create(String base, String prefix) throws IOException {
        Path parent = Path.of(base.equals(TMPDIR) ? System.getProperty("java.io.tmpdir") : base);
        Files.createDirectories(parent);
        Path dir = Files.createTempDirectory(parent, prefix);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(dir), "delete " + dir));
        return dir;
    }

    private static void deleteQuietly(Path dir) {
        try {
            delete(dir);
        } catch (IOException | RuntimeException e) {
            System.err.println("cannot remove " + dir + ": " + e);
        }
    }

    static void delete(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
