package org.mooseng.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ArgumentErrorsTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "no-such-command",
            "master",
            "chunkserver",
            "master -c x.cfg --cluster-id abc",
            "up --chunkservers 0",
            "up --chunkservers many",
            "up --base-port",
            "status --bogus",
            "config",
            "config sample",
    })
    void badArgumentsPrintUsageAndExit2(String line) {
        CliRun run = CliRun.of(line.isEmpty() ? new String[0] : line.split(" "));

        assertThat(run.exitCode()).as(line).isEqualTo(Main.EXIT_USAGE);
        assertThat(run.err()).as(line).contains("Usage: mooseng");
        assertThat(run.out()).as(line).isEmpty();
    }

    @Test
    void versionNamesTheProjectAndJava() {
        CliRun run = CliRun.of("version", "--json");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("{\"version\":").contains("\"java\":\"" + Runtime.version() + "\"");
    }

    @Test
    void helpListsEveryCommand() {
        CliRun run = CliRun.of("--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("master", "chunkserver", "config", "up", "down", "status", "fs", "admin",
                "version");
    }
}
