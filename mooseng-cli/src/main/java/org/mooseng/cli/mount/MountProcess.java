package org.mooseng.cli.mount;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.mooseng.cli.CliException;
import org.mooseng.cli.local.RoleJvm;
import org.mooseng.client.ClientOptions;

/**
 * Starts {@code mooseng mount -f} as a background JVM (the launcher's java and classpath,
 * the daemons' flags) and waits until the kernel lists the mount.
 */
public final class MountProcess {
    private static final Duration POLL = Duration.ofMillis(100);
    private static final int LOG_TAIL_LINES = 30;

    private MountProcess() {
    }

    /** The child's command line: {@code mount MOUNTPOINT -f -H master --expect-cluster ID -o ...}. */
    static List<String> command(Path mountpoint, ClientOptions client, List<String> options) {
        List<String> command = new ArrayList<>();
        for (String setsid : List.of("/usr/bin/setsid", "/bin/setsid")) {
            if (Files.isExecutable(Path.of(setsid))) {
                command.add(setsid);
                break;
            }
        }
        command.add(RoleJvm.javaExecutable());
        command.addAll(RoleJvm.FLAGS);
        String extra = System.getenv("MOOSENG_ROLE_JAVA_OPTS");
        if (extra != null && !extra.isBlank()) {
            command.addAll(Arrays.asList(extra.strip().split("\\s+")));
        }
        command.add("-Dmooseng.instance=mount");
        command.add("-cp");
        command.add(RoleJvm.classpath());
        command.add("org.mooseng.cli.Main");
        command.add("mount");
        command.add(mountpoint.toString());
        command.add("-f");
        command.add("-H");
        command.add(String.join(",", client.masters().stream().map(Object::toString).toList()));
        client.expectedClusterId().ifPresent(id -> {
            command.add("--expect-cluster");
            command.add(id);
        });
        for (String option : options) {
            command.add("-o");
            command.add(option);
        }
        return command;
    }

    /**
     * Starts the mount in the background and returns once /proc/mounts lists it. On a
     * timeout or an early exit the process is killed and the error carries the log's tail.
     */
    public static Process start(Path mountpoint, ClientOptions client, List<String> options, Path log,
                                Duration timeout) throws IOException, InterruptedException {
        Files.createDirectories(log.toAbsolutePath().getParent());
        Files.writeString(log, "---- mooseng mount: mounting " + mountpoint + " at " + Instant.now() + "\n",
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Process process = new ProcessBuilder(command(mountpoint, client, options))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (ProcMounts.isMooseNgMount(mountpoint)) {
                return process;
            }
            if (!process.isAlive()) {
                throw new CliException("mount of " + mountpoint + " failed: the mount process exited with code "
                        + process.exitValue() + "\n" + tail(log));
            }
            if (System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new CliException("mount of " + mountpoint + " not in /proc/mounts after " + timeout.toSeconds()
                        + " s; the mount process was killed\n" + tail(log));
            }
            Thread.sleep(POLL);
        }
    }

    static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return "---- last lines of " + log + "\n"
                + String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
    }
}
