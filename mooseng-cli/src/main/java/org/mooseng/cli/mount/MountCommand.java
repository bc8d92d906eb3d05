package org.mooseng.cli.mount;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.mooseng.cli.CliException;
import org.mooseng.cli.Main;
import org.mooseng.cli.fs.TargetOptions;
import org.mooseng.client.ClientOptions;
import org.mooseng.fuse.MountConfig;
import org.mooseng.fuse.MoosengMount;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "mount",
        description = "Mount the cluster with FUSE (type fuse.mooseng). Unmount with: fusermount3 -u MOUNTPOINT",
        footer = {"",
                "Options for -o: attr_timeout=S and entry_timeout=S (kernel cache, default 1 s), max_threads=N, "
                        + "and any libfuse/kernel mount option (ro, debug, ...)."})
public final class MountCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MOUNTPOINT", description = "An existing directory.")
    Path mountpoint;

    @Mixin
    TargetOptions target;

    @Option(names = "-o", paramLabel = "OPTS", description = "Mount options, comma-separated; may repeat.")
    List<String> options = new ArrayList<>();

    @Option(names = "-f", description = "Stay in the foreground (the mount runs in this process).")
    boolean foreground;

    @Option(names = "--log", paramLabel = "FILE",
            description = "Log of the background mount (default: <tmpdir>/mooseng-mount-<mountpoint>.log).")
    Path log;

    @Option(names = "--pid-file", paramLabel = "FILE", description = "Write the background mount's PID here.")
    Path pidFile;

    @Option(names = "--timeout-seconds", paramLabel = "S", defaultValue = "30",
            description = "How long to wait for the mount to appear (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--expect-cluster", paramLabel = "ID", hidden = true,
            description = "Refuse a master of another cluster (passed on to the background process).")
    String expectedCluster;

    @Override
    public Integer call() throws Exception {
        Path point = mountpoint.toAbsolutePath().normalize();
        if (!Files.isDirectory(point)) {
            throw new CliException(point + ": not a directory");
        }
        if (ProcMounts.find(point).isPresent()) {
            throw new CliException(point + ": already a mount point (" + ProcMounts.find(point).get().type() + ")");
        }
        ClientOptions client = target.clientOptions();
        if (expectedCluster != null) {
            client = new ClientOptions(client.masters(), java.util.Optional.of(expectedCluster), client.credentials(),
                    client.rpcTimeoutMs(), client.dataTimeoutMs(), client.connectionsPerServer(),
                    client.writeWindowBytes(), client.writeRetries(), client.readAheadBytes());
        }
        if (foreground) {
            MountConfig config = new MountConfig(point, client, options == null ? List.of() : options, false);
            MoosengMount.run(config);
            return Main.EXIT_OK;
        }
        Path logFile = log != null ? log : Path.of(System.getProperty("java.io.tmpdir"),
                "mooseng-mount-" + point.toString().replaceAll("[^A-Za-z0-9._-]", "_") + ".log");
        Process process = MountProcess.start(point, client, options == null ? List.of() : options, logFile, Duration.ofSeconds(timeoutSeconds));
        if (pidFile != null) {
            Files.createDirectories(pidFile.toAbsolutePath().getParent());
            Files.writeString(pidFile, process.pid() + "\n");
        }
        spec.commandLine().getOut().println("mounted " + point + " (pid " + process.pid() + ", log " + logFile + ")");
        spec.commandLine().getOut().flush();
        return Main.EXIT_OK;
    }
}
