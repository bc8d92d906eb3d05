package org.mooseng.cli.role;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.mooseng.cli.Role;
import org.mooseng.common.config.Config;
import org.mooseng.metalogger.MetaloggerServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "metalogger", description = {
        "Run a metalogger in the foreground (SIGTERM stops it cleanly): a non-voting member of the",
        "master group that receives the metadata log as it is committed and keeps log segments and",
        "snapshots, with checksums, on its own disk (see: mooseng restore)."})
public final class MetaloggerCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "Metalogger configuration file.")
    Path config;

    @Override
    public Integer call() throws Exception {
        Config cfg = Role.METALOGGER.load(config);
        return RoleRuntime.run("metalogger", () -> {
            MetaloggerServer server = MetaloggerServer.start(cfg);
            return new RunningRole(server::awaitTermination, server::close);
        });
    }
}
