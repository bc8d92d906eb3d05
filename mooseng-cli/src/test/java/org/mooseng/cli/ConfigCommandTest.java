package org.mooseng.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mooseng.common.config.Config;
import org.mooseng.common.config.ConfigKey;

class ConfigCommandTest {

    @ParameterizedTest
    @EnumSource(Role.class)
    void sampleParsesBackToEveryDefault(Role role) {
        CliRun run = CliRun.of("config", "sample", role.command());

        assertThat(run.exitCode()).isZero();
        Config parsed = role.schema().parse(run.out(), "sample");
        assertThat(role.schema().keys()).isNotEmpty();
        for (ConfigKey<?> key : role.schema().keys()) {
            assertThat(run.out()).contains(key.name() + " = ");
            assertThat((Object) parsed.get(key)).as(key.name()).isEqualTo(key.defaultValue());
        }
    }

    @Test
    void sampleOfUnknownRoleIsAUsageError() {
        CliRun run = CliRun.of("config", "sample", "metalogger-typo");

        assertThat(run.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(run.err()).contains("unknown role 'metalogger-typo'").contains("master, chunkserver");
    }

    @ParameterizedTest
    @EnumSource(Role.class)
    void misspelledKeyIsRejectedWithTheClosestKey(Role role, @TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.cfg");
        Files.writeString(file, "# a typo on line 2\nDATA_DRI = /tmp/x\n");

        CliRun check = CliRun.of("config", "check", role.command(), "-c", file.toString());
        CliRun start = CliRun.of(role.command(), "-c", file.toString());

        for (CliRun run : new CliRun[] {check, start}) {
            assertThat(run.exitCode()).isEqualTo(Main.EXIT_ERROR);
            assertThat(run.err()).contains(file + ":2: unknown key DATA_DRI (did you mean DATA_DIR?)");
            assertThat(run.err().strip()).doesNotContain("\n");
        }
    }

    @Test
    void missingConfigFileIsOneClearLine(@TempDir Path dir) {
        CliRun run = CliRun.of("master", "-c", dir.resolve("absent.cfg").toString());

        assertThat(run.exitCode()).isEqualTo(Main.EXIT_ERROR);
        assertThat(run.err().strip()).contains("absent.cfg: no such master configuration file")
                .doesNotContain("\n").doesNotContain("Exception");
    }

    @Test
    void validFileIsAccepted(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("ok.cfg");
        Files.writeString(file, Role.MASTER.schema().sample());

        CliRun run = CliRun.of("config", "check", "master", "-c", file.toString());

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("valid master configuration");
    }
}
