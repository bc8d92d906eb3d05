package org.mooseng.cli.role;

import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.mooseng.cli.CliException;
import org.mooseng.cli.Main;
import org.mooseng.cli.Role;
import org.mooseng.common.config.Config;
import org.mooseng.master.MasterConfig;
import org.mooseng.master.MasterServer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "master", description = {
        "Run a metadata master in the foreground (SIGTERM stops it cleanly).",
        "With --format: write a new, empty cluster into DATA_DIR and exit."})
public final class MasterCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "Master configuration file.")
    Path config;

    @Option(names = "--format", description = "Format DATA_DIR for a new cluster, then exit. Refuses a formatted DATA_DIR.")
    boolean format;

    @Option(names = "--cluster-id", paramLabel = "ID", description = "Cluster id for --format (default: a random UUID).")
    String clusterId;

    @Override
    public Integer call() throws Exception {
        if (clusterId != null && !format) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--cluster-id needs --format");
        }
        if (clusterId != null && clusterId.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--cluster-id must not be empty");
        }
        Config cfg = Role.MASTER.load(config);
        String dataDir = cfg.get(MasterConfig.DATA_DIR);
        if (format) {
            String id = format(cfg, clusterId);
            spec.commandLine().getOut().println("formatted " + dataDir + " for cluster " + id);
            return Main.EXIT_OK;
        }
        if (!MasterServer.isFormatted(cfg)) {
            throw new CliException("master DATA_DIR " + dataDir + " is not formatted (run: mooseng master -c "
                    + config + " --format)");
        }
        return RoleRuntime.run("master", () -> {
            MasterServer server = MasterServer.start(cfg);
            return new RunningRole(server::awaitTermination, server::close);
        });
    }

    /** Formats the master's DATA_DIR for a new cluster and returns its id (random when {@code clusterId} is null). */
    public static String format(Config cfg, String clusterId) throws java.io.IOException {
        if (MasterServer.isFormatted(cfg)) {
            throw new CliException("master DATA_DIR " + cfg.get(MasterConfig.DATA_DIR)
                    + " is already formatted; refusing to format it again");
        }
        String id = clusterId != null ? clusterId : UUID.randomUUID().toString();
        MasterServer.format(cfg, id);
        return id;
    }
}
