package org.mooseng.cli.role;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.mooseng.cli.Role;
import org.mooseng.chunkserver.ChunkServer;
import org.mooseng.common.config.Config;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "chunkserver", description = "Run a chunk server in the foreground (SIGTERM stops it cleanly).")
public final class ChunkServerCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "Chunk server configuration file.")
    Path config;

    @Override
    public Integer call() throws Exception {
        Config cfg = Role.CHUNKSERVER.load(config);
        return RoleRuntime.run("chunkserver", () -> {
            ChunkServer server = ChunkServer.start(cfg);
            return new RunningRole(server::awaitTermination, server::close);
        });
    }
}
