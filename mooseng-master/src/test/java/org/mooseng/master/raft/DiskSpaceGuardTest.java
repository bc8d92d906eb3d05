package org.mooseng.master.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DiskSpaceGuardTest {
    private static final Path DIR = Path.of("/data/master/raft");
    private final List<String> reports = new ArrayList<>();

    @Test
    void reportsOnceWhenFreeSpaceFallsBelowTheReserveNamingTheDirectory() {
        AtomicLong free = new AtomicLong(100L << 20);
        DiskSpaceGuard guard = new DiskSpaceGuard(DIR, 64L << 20, path -> free.get(), reports::add);
        assertThat(guard.check()).isTrue();
        free.set(64L << 20);
        assertThat(guard.check()).as("exactly the reserve left is still enough").isTrue();
        free.set(12_000);

        assertThat(guard.check()).isFalse();
        assertThat(guard.check()).isFalse();
        free.set(100L << 20);
        assertThat(guard.check()).as("a member once stopped stays stopped until restarted").isFalse();
        assertThat(reports).containsExactly(
                "only 11 KiB free on the disk of /data/master/raft, below the reserve of 64 MiB");
    }

    @Test
    void aFileSystemThatCannotBeAskedCountsAsFull() {
        DiskSpaceGuard guard = new DiskSpaceGuard(DIR, 1, path -> {
            throw new IOException("no such file system");
        }, reports::add);
        assertThat(guard.check()).isFalse();
        assertThat(reports).singleElement().asString().contains("/data/master/raft").contains("no such file system");
    }

    @Test
    void aReserveOfZeroLeavesAFullDiskToTheWritesThatFail() {
        DiskSpaceGuard guard = new DiskSpaceGuard(DIR, 0, path -> 0, reports::add);
        assertThat(guard.check()).isTrue();
        assertThat(reports).isEmpty();
    }
}
