package org.mooseng.cli.admin;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.mooseng.cli.CliException;
import org.mooseng.cli.Main;
import org.mooseng.meta.MetaStore;
import org.mooseng.metalogger.NamespaceDigest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code mooseng admin digest}: the SHA-256 of a whole namespace as a stopped master or
 * metalogger left it on disk, to check that two copies (a metalogger's and a master restored
 * from it) hold the same metadata. Works on a copy: opening a RocksDB store writes to it, and
 * the directory it is given must stay as it was.
 */
@Command(name = "digest", mixinStandardHelpOptions = true,
        description = {"The SHA-256 of a whole namespace stored on disk: every directory entry, inode (attributes,",
                "symlink target, xattrs, chunks and versions), open-file session and counter, in a fixed",
                "order. DIR is a store directory, a metalogger's DATA_DIR (its store/) or a master's DATA_DIR",
                "(its meta/). The owning daemon must be stopped; the store is copied and the copy is read.",
                "Prints one line per DIR: sha256 HEX  applied index N  cluster ID  STORE."})
public final class NamespaceDigestCommand implements Callable<Integer> {
    /** Where a metalogger and a master keep their store inside DATA_DIR (MetaloggerServer, MasterDirLayout). */
    private static final List<String> STORE_SUBDIRECTORIES = List.of("store", "meta");
    /** RocksDB's lock file: held (fcntl) by the process that has the store open. */
    private static final String LOCK_FILE = "LOCK";
    /** Every record is read once, in tree order: a small cache is enough. */
    private static final long CACHE_ENTRIES = 10_000;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "DIR", arity = "1..*",
            description = "A namespace store, or the DATA_DIR of a metalogger or master; one line each.")
    List<Path> dirs;

    @Option(names = "--lines", description = "Also print the namespace as the text lines the digest is taken over"
            + " (diff two of them to see where copies differ).")
    boolean lines;

    @Option(names = "--scratch", paramLabel = "DIR",
            description = "Where to put the temporary copy of the store (default: the system's temporary directory).")
    Path scratch;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        for (Path dir : dirs) {
            digest(storeOf(dir), out);
        }
        out.flush();
        return Main.EXIT_OK;
    }

    private void digest(Path store, PrintWriter out) throws IOException {
        Path copy = scratch == null ? Files.createTempDirectory("mooseng-digest-")
                : Files.createTempDirectory(Files.createDirectories(scratch), "mooseng-digest-");
        try {
            copyUnlocked(store, copy);
            try (MetaStore namespace = MetaStore.open(copy, CACHE_ENTRIES)) {
                out.printf("sha256 %s  applied index %d  cluster %s  %s%n", NamespaceDigest.of(namespace, namespace),
                        namespace.lastAppliedIndex(), namespace.clusterId().orElse("-"), store);
                if (lines) {
                    NamespaceDigest.lines(namespace, namespace).forEach(out::println);
                }
            }
        } finally {
            deleteRecursively(copy);
        }
    }

    private static Path storeOf(Path dir) {
        if (Files.isRegularFile(dir.resolve("CURRENT"))) {
            return dir;
        }
        for (String sub : STORE_SUBDIRECTORIES) {
            if (Files.isRegularFile(dir.resolve(sub).resolve("CURRENT"))) {
                return dir.resolve(sub);
            }
        }
        throw new CliException(dir + ": no namespace store here (a store holds CURRENT; a metalogger's DATA_DIR"
                + " holds store/, a master's meta/)");
    }

    /**
     * Copies the store's files while holding its lock, so that no daemon has it open (a copy
     * of a store being written could be torn) nor opens it until the copy is done.
     */
    private static void copyUnlocked(Path store, Path copy) throws IOException {
        Path lockFile = store.resolve(LOCK_FILE);
        if (!Files.exists(lockFile)) {
            copyFiles(store, copy, lockFile); // no LOCK: RocksDB never opened it in place (a copied checkpoint)
            return;
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE);
             FileLock lock = channel.tryLock()) {
            if (lock == null) {
                throw new CliException(store + ": the store is open in a running process (its " + LOCK_FILE
                        + " is held); stop the master or metalogger first");
            }
            copyFiles(store, copy, lockFile);
        }
    }

    private static void copyFiles(Path store, Path copy, Path lockFile) throws IOException {
        try (Stream<Path> files = Files.walk(store)) {
            for (Path file : files.toList()) {
                Path target = copy.resolve(store.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else if (!file.equals(lockFile)) {
                    Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }
}
