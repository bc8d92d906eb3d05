package org.mooseng.cli.admin;

import java.io.IOException;
import java.util.List;
import org.mooseng.cli.fs.ClientCommand;
import org.mooseng.client.ChunkServerStatus;
import org.mooseng.client.MoosengClient;
import picocli.CommandLine.Command;

/** {@code mooseng admin chunkservers}. */
@Command(name = "chunkservers", mixinStandardHelpOptions = true, description = "Chunk servers: address, liveness, space and chunk counts.")
public final class ChunkServersCommand extends ClientCommand {
    @Override
    protected void run(MoosengClient client) throws IOException {
        List<ChunkServerStatus> servers = client.chunkServers();
        if (json()) {
            print(servers, null);
            return;
        }
        out().printf("%-20s %-24s %-5s %15s %15s %6s %10s%n", "ID", "ADDRESS", "ALIVE", "TOTAL", "FREE", "USED%",
                "CHUNKS");
        for (ChunkServerStatus s : servers) {
            double usedPercent = s.totalBytes() == 0 ? 0 : 100.0 * (s.totalBytes() - s.freeBytes()) / s.totalBytes();
            out().printf("%-20s %-24s %-5s %15d %15d %6.1f %10d%n", s.serverId(), s.host() + ":" + s.port(),
                    s.alive() ? "yes" : "NO", s.totalBytes(), s.freeBytes(), usedPercent, s.chunks());
        }
    }
}
