package org.mooseng.cli.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
        return ProcessHandle.of(pid.getAsLong()).filter(ProcessHandle::isAlive).filter(this::runsOurConfig);
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
