package org.mooseng.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs bash command lines for the process tests of the mount, with a deadline, and the
 * clean-up steps every mount test needs (unmount, kill by PID) whatever state it is left in.
 */
final class Shell {
    /** One finished command line: exit code and the merged stdout + stderr. */
    record Result(int exitCode, String output) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n" + output;
        }
    }

    private final Path workDir;
    private final Duration timeout;

    Shell(Path workDir, Duration timeout) {
        this.workDir = workDir;
        this.timeout = timeout;
    }

    static String q(Path path) {
        return "'" + path.toString().replace("'", "'\\''") + "'";
    }

    Result sh(String command) throws IOException, InterruptedException {
        return sh(command, Map.of(), timeout);
    }

    Result sh(String command, Map<String, String> environment, Duration deadline)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile(workDir, "sh", ".out");
        ProcessBuilder builder = new ProcessBuilder(List.of("bash", "-c", command)).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(out.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        try {
            if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("timed out after " + deadline + ": " + command + "\n"
                        + Files.readString(out, StandardCharsets.UTF_8));
            }
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            Files.deleteIfExists(out);
        }
    }

    /** Runs a command line; fails the test with its output when it exits non-zero. */
    String ok(String command) throws IOException, InterruptedException {
        Result r = sh(command);
        assertThat(r.exitCode()).as(command + "\n" + r.output()).isZero();
        return r.output();
    }

    /** Unmounts {@code mountpoint} if it is mounted, lazily if it is busy; never throws. */
    static void unmount(Path mountpoint) {
        try {
            if (!Files.readString(Path.of("/proc/mounts")).contains(" " + mountpoint + " ")) {
                return;
            }
            Process normal = new ProcessBuilder("fusermount3", "-u", mountpoint.toString()).inheritIO().start();
            if (normal.waitFor(10, TimeUnit.SECONDS) && normal.exitValue() == 0) {
                return;
            }
            normal.destroyForcibly();
            new ProcessBuilder("fusermount3", "-u", "-z", mountpoint.toString()).inheritIO().start()
                    .waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            // The caller's assertions report a mount that stayed; clean-up goes on.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGKILLs the process whose PID is in {@code pidFile}, and its children; never throws. */
    static void killByPidFile(Path pidFile) {
        try {
            if (!Files.exists(pidFile)) {
                return;
            }
            long pid = Long.parseLong(Files.readString(pidFile).strip());
            ProcessHandle.of(pid).ifPresent(Shell::kill);
        } catch (IOException | NumberFormatException e) {
            // Nothing to kill.
        }
    }

    /** SIGKILLs a process started by a test and everything it started, and waits for it. */
    static void kill(ProcessHandle process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.onExit().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // Reported by the test's own assertions.
        }
    }
}
