package org.mooseng.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Benchmarks run under JMH itself, in this JVM, for one short iteration with small
 * parameters: JMH's wiring of their states (which instance a set-up and a call get) and their
 * set-up and tear-down work, and a failing op fails the run.
 */
class JmhRunTest {
    @TempDir
    Path dir;

    private ChainedOptionsBuilder once(String benchmark) {
        return new OptionsBuilder()
                .include(benchmark)
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100))
                .shouldFailOnError(true)
                .verbosity(VerboseMode.SILENT)
                .param("dir", dir.toString());
    }

    private RunResult runOnce(ChainedOptionsBuilder options) throws Exception {
        PrintStream out = System.out;
        Collection<RunResult> results;
        // JMH prints its banner even when silent.
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            results = new Runner(options.build()).run();
        } finally {
            System.setOut(out);
        }
        assertThat(results).hasSize(1);
        return results.iterator().next();
    }

    private void assertNothingLeft() throws Exception {
        try (var left = Files.list(dir)) {
            assertThat(left).as("work directories left in " + dir).isEmpty();
        }
    }

    @Test
    void unlinkRemovesAFileCreatedBeforeEachCall() throws Exception {
        RunResult result = runOnce(once(NamespaceBenchmark.class.getName() + ".unlink$").param("files", "10"));
        assertThat(result.getPrimaryResult().getSampleCount()).isPositive();
        assertThat(result.getPrimaryResult().getScore()).isPositive();
        assertNothingLeft();
    }

    @Test
    void chunkStoreWritesAppendWithoutForces() throws Exception {
        RunResult result = runOnce(once(ChunkStoreWriteBenchmark.class.getName() + ".write$")
                .param("fsync", "false").param("writeBytes", "65536").param("pattern", "APPEND")
                .timeUnit(TimeUnit.MICROSECONDS));
        assertThat(result.getPrimaryResult().getScore()).isPositive();
        assertNothingLeft();
    }
}
