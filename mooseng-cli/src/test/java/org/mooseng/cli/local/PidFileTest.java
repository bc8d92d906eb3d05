package org.mooseng.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PidFileTest {

    @Test
    void liveProcessRunningTheInstanceConfigIsFound(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("chunkserver-1.cfg");
        Process process = new ProcessBuilder("/bin/sh", "-c", "sleep 60", "sh", config.toString()).start();
        try {
            PidFile pidFile = new PidFile(dir.resolve("chunkserver-1.pid"), config);
            pidFile.write(process.pid());

            assertThat(pidFile.liveProcess()).map(ProcessHandle::pid).contains(process.pid());
        } finally {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void reusedPidOfAnUnrelatedProcessIsNotTrusted(@TempDir Path dir) throws IOException {
        // This test JVM is alive but was not started with the instance's config file.
        PidFile pidFile = new PidFile(dir.resolve("master-1.pid"), dir.resolve("master.cfg"));
        pidFile.write(ProcessHandle.current().pid());

        assertThat(pidFile.pid()).hasValue(ProcessHandle.current().pid());
        assertThat(pidFile.liveProcess()).isEmpty();
    }

    @Test
    void exitedProcessIsNotAlive(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("master.cfg");
        Process process = new ProcessBuilder("/bin/sh", "-c", "exit 0", "sh", config.toString()).start();
        process.waitFor(10, TimeUnit.SECONDS);
        PidFile pidFile = new PidFile(dir.resolve("master-1.pid"), config);
        pidFile.write(process.pid());

        assertThat(pidFile.liveProcess()).isEmpty();
    }

    @Test
    void missingOrGarbledFileHasNoPid(@TempDir Path dir) throws IOException {
        PidFile pidFile = new PidFile(dir.resolve("x.pid"), dir.resolve("x.cfg"));
        assertThat(pidFile.pid()).isEmpty();
        java.nio.file.Files.writeString(dir.resolve("x.pid"), "not a number\n");
        assertThat(pidFile.pid()).isEmpty();
        assertThat(pidFile.liveProcess()).isEmpty();
    }
}
