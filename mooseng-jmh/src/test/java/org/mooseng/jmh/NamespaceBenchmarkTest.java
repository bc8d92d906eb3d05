package org.mooseng.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The namespace benchmarks apply the ops they name, each accepted (called directly, without JMH). */
class NamespaceBenchmarkTest {
    private static final int ENOENT = 2;
    private static final int RENAMED = 10;

    @TempDir
    Path dir;

    private NamespaceBenchmark namespace;
    private NamespaceBenchmark.Worker worker;

    @BeforeEach
    void open() throws Exception {
        namespace = new NamespaceBenchmark();
        namespace.dir = dir.toString();
        namespace.files = 10;
        namespace.cacheEntries = 1_000;
        namespace.renamedFiles = RENAMED;
        namespace.openStore();
        worker = new NamespaceBenchmark.Worker();
        worker.prepare(namespace);
    }

    @AfterEach
    void close() throws Exception {
        namespace.closeStore();
    }

    @Test
    void createAddsANewFileEachCall() {
        long first = namespace.create(worker).getAttr().getInode();
        long second = namespace.create(worker).getAttr().getInode();
        assertThat(second).isNotEqualTo(first);
        assertThat(namespace.store.lookup(Ops.ROOT, worker.directory, "created-1").getAttr().getInode())
                .isEqualTo(second);
    }

    @Test
    void renameMovesEveryFileAwayAndBackInTurn() {
        for (int i = 0; i < RENAMED; i++) {
            namespace.rename(worker);
        }
        assertThat(namespace.store.lookup(Ops.ROOT, worker.directory, "renamed-7").getStatus()).isEqualTo(ENOENT);
        assertThat(namespace.store.lookup(Ops.ROOT, worker.directory, "renamed-7.moved").getStatus()).isZero();

        for (int i = 0; i < RENAMED + 1; i++) {
            namespace.rename(worker);
        }
        assertThat(namespace.store.lookup(Ops.ROOT, worker.directory, "renamed-7").getStatus()).isZero();
        assertThat(namespace.store.lookup(Ops.ROOT, worker.directory, "renamed-0").getStatus()).isEqualTo(ENOENT);
    }

    @Test
    void unlinkRemovesTheFileMadeBeforeTheCall() {
        NamespaceBenchmark.UnlinkTarget target = new NamespaceBenchmark.UnlinkTarget();
        target.makeDirectory(namespace);
        for (int i = 0; i < 3; i++) {
            target.createFile(namespace);
            assertThat(namespace.store.lookup(Ops.ROOT, target.directory, target.name).getStatus()).isZero();
            namespace.unlink(target);
            assertThat(namespace.store.lookup(Ops.ROOT, target.directory, target.name).getStatus()).isEqualTo(ENOENT);
        }
        assertThat(namespace.store.readDir(Ops.ROOT, target.directory, 0, 10).getEntriesCount()).isZero();
    }

    @Test
    void listPagesThroughEveryEntryOfTheListedDirectory() {
        namespace.listingPage = 3;
        assertThat(namespace.list()).isEqualTo(10);
        assertThat(namespace.list()).as("again, from the listing cache").isEqualTo(10);
    }

    @Test
    void readsFindTheFilesOfTheListedDirectory() {
        assertThat(namespace.lookup(worker).getAttr().getInode()).isEqualTo(namespace.listedInodes[0]);
        assertThat(namespace.getAttr(worker).getAttr().getInode()).as("the second read, 40503 mod 10 = 3")
                .isEqualTo(namespace.listedInodes[3]);
        assertThat(namespace.store.stats().files()).isEqualTo(10 + RENAMED);
    }
}
