package org.mooseng.dist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the built distribution's {@code bin/mooseng} as a separate process, never rebuilding
 * it (the tests run on what 'package' produced).
 */
public final class Launcher {
    /** One finished command: its exit code and output. */
    public record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private Launcher() {
    }

    private static List<String> command(String... args) {
        List<String> command = new ArrayList<>();
        command.add(bin().toString());
        command.add("--no-build");
        command.addAll(List.of(args));
        return command;
    }

    public static Path bin() {
        String bin = System.getProperty("mooseng.bin");
        if (bin == null) {
            throw new IllegalStateException("system property mooseng.bin is not set (run through 'mvn verify')");
        }
        return Path.of(bin).toAbsolutePath().normalize();
    }

    /**
     * A daemon started with {@link #start}: its output goes to a log file. {@link #close} kills
     * it (SIGKILL) if it still runs, so a failing test leaves nothing behind.
     */
    public record Background(Process process, Path log) implements AutoCloseable {
        public long pid() {
            return process.pid();
        }

        /** Stops it with SIGTERM (a clean shutdown) and waits; returns its exit code. */
        public int stop(Duration timeout) throws IOException, InterruptedException {
            process.destroy(); // SIGTERM: bin/mooseng execs the JVM, so it is the JVM that gets it
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("pid " + pid() + " did not stop within " + timeout + " of SIGTERM\n"
                        + Files.readString(log));
            }
            return process.exitValue();
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                Shell.kill(process.toHandle());
            }
        }
    }

    /**
     * Starts {@code bin/mooseng args…} in the background (a daemon such as {@code metalogger -c
     * FILE}), stdout and stderr to {@code log}, with {@code environment} added.
     */
    public static Background start(Path workDir, Path log, Map<String, String> environment, String... args)
            throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command(args)).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("MOOSENG_NO_BUILD", "1");
        builder.environment().putAll(environment);
        return new Background(builder.start(), log);
    }

    public static Result run(Duration timeout, Path workDir, String... args) throws IOException, InterruptedException {
        List<String> command = command(args);
        Path out = Files.createTempFile(workDir, "out", ".txt");
        Path err = Files.createTempFile(workDir, "err", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().put("MOOSENG_NO_BUILD", "1");
        Process process = builder.start();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("mooseng " + String.join(" ", args) + " did not finish within " + timeout
                        + "\n" + Files.readString(out) + Files.readString(err));
            }
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            process.destroyForcibly();
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
