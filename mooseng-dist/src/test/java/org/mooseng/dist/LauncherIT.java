package org.mooseng.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/mooseng on the built distribution: configuration errors and argument errors. */
class LauncherIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void unknownConfigKeyIsRejectedWithAHint(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("master.cfg");
        Files.writeString(config, "DATA_DIR = " + dir.resolve("data") + "\nCLIENT_PROT = 9999\n");

        Launcher.Result result = Launcher.run(TIMEOUT, dir, "master", "-c", config.toString());

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.err()).contains(config + ":2: unknown key CLIENT_PROT (did you mean CLIENT_PORT?)");
        assertThat(Files.exists(dir.resolve("data"))).isFalse();
    }

    @Test
    void sampleConfigIsAcceptedAsIs(@TempDir Path dir) throws Exception {
        Launcher.Result sample = Launcher.run(TIMEOUT, dir, "config", "sample", "chunkserver");
        assertThat(sample.exitCode()).as(sample.toString()).isZero();
        Path config = dir.resolve("chunkserver.cfg");
        Files.writeString(config, sample.out());

        Launcher.Result check = Launcher.run(TIMEOUT, dir, "config", "check", "chunkserver", "-c", config.toString());

        assertThat(check.exitCode()).as(check.toString()).isZero();
    }

    @Test
    void missingArgumentPrintsUsageAndExits2(@TempDir Path dir) throws Exception {
        Launcher.Result result = Launcher.run(TIMEOUT, dir, "chunkserver");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("Missing required option", "Usage: mooseng chunkserver");
    }
}
