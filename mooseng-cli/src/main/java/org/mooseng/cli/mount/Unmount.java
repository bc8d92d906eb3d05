package org.mooseng.cli.mount;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Unmounting a FUSE mount: fusermount3 -u, and when the mount is busy, a lazy unmount. */
public final class Unmount {
    private static final long COMMAND_TIMEOUT_SECONDS = 20;

    /** How an unmount went. */
    public enum Outcome { NOT_MOUNTED, UNMOUNTED, DETACHED_BUSY, FAILED }

    private Unmount() {
    }

    public static Outcome unmount(Path mountpoint) throws IOException, InterruptedException {
        if (ProcMounts.find(mountpoint).isEmpty()) {
            return Outcome.NOT_MOUNTED;
        }
        if (run(List.of(fusermount(), "-u", mountpoint.toString())) && ProcMounts.find(mountpoint).isEmpty()) {
            return Outcome.UNMOUNTED;
        }
        // Busy (a shell inside it, an open file): detach now, the kernel finishes when it is free.
        if (run(List.of(fusermount(), "-u", "-z", mountpoint.toString()))
                || run(List.of("umount", "-l", mountpoint.toString()))) {
            return Outcome.DETACHED_BUSY;
        }
        return ProcMounts.find(mountpoint).isEmpty() ? Outcome.UNMOUNTED : Outcome.FAILED;
    }

    private static String fusermount() {
        for (String candidate : List.of("/usr/bin/fusermount3", "/bin/fusermount3")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        return "fusermount3";
    }

    private static boolean run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return false;
        }
        return process.exitValue() == 0;
    }
}
