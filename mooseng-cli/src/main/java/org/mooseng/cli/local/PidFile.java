package org.mooseng.cli.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A daemon's PID file. A PID is only trusted while the process with that PID is alive and
 * its command line names the instance's configuration file, so a PID reused by an
 * unrelated process after a reboot is never signalled.
 */
public record PidFile(Path file, Path config) {

    public OptionalLong pid() throws IOException {
        if (!Files.exists(file)) {
            return OptionalLong.empty();
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        try {
            return OptionalLong.of(Long.parseLong(text));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** The live process this file points to, if it is still ours. */
    public Optional<ProcessHandle> liveProcess() throws IOException {
        OptionalLong pid = pid();
        if (pid.isEmpty()) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid.getAsLong()).filter(p -> p.isAlive() && !exited(p)).filter(this::runsOurConfig);
    }

    /**
     * Whether a process has exited entirely. A zombie whose threads are all gone counts (its
     * parent may never reap it, and {@link ProcessHandle#isAlive} calls it alive until then); a zombie thread-group leader whose other threads still run
     * (a JVM tearing down after SIGKILL) does not: its sockets are still open.
     */
    public static boolean exited(ProcessHandle process) {
        if (!Files.isDirectory(Path.of("/proc/self"))) {
            return !process.isAlive();
        }
        Path proc = Path.of("/proc", Long.toString(process.pid()));
        try {
            String stat = Files.readString(proc.resolve("stat"), StandardCharsets.US_ASCII);
            // pid (comm) state ...: comm may hold spaces and parentheses, so look after the last ')'.
            int end = stat.lastIndexOf(')');
            char state = end >= 0 && end + 2 < stat.length() ? stat.charAt(end + 2) : '?';
            if (state != 'Z' && state != 'X') {
                return false;
            }
            try (var tasks = Files.list(proc.resolve("task"))) {
                return tasks.count() <= 1;
            }
        } catch (NoSuchFileException e) {
            return true;
        } catch (IOException e) {
            return !process.isAlive();
        }
    }

    private boolean runsOurConfig(ProcessHandle process) {
        ProcessHandle.Info info = process.info();
        if (info.arguments().isPresent()) {
            return java.util.Arrays.asList(info.arguments().get()).contains(config.toString());
        }
        // The JDK gives no argument list for a command line longer than a page, only its
        // (truncated) text; with neither (another user's process), trust the PID.
        return info.commandLine().map(line -> line.contains(config.toString())).orElse(true);
    }

    public void write(long pid) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, pid + "\n", StandardCharsets.US_ASCII);
    }

    public void delete() throws IOException {
        Files.deleteIfExists(file);
    }
}
