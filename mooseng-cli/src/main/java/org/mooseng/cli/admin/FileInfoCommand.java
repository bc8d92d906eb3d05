package org.mooseng.cli.admin;

import java.io.IOException;
import org.mooseng.cli.fs.ClientCommand;
import org.mooseng.client.FileLayout;
import org.mooseng.client.MoosengClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code mooseng admin fileinfo PATH}: chunks, versions and replica locations. */
@Command(name = "fileinfo", mixinStandardHelpOptions = true, description = "A file's chunks, their versions and where the replicas are.")
public final class FileInfoCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "PATH")
    String path;

    @Override
    protected void run(MoosengClient client) throws IOException {
        FileLayout layout = client.fileInfo(path);
        if (json()) {
            print(layout, null);
            return;
        }
        out().printf("%s: inode %d, %d bytes, goal %d, %d chunks%n", path, layout.stat().inode().value(),
                layout.stat().sizeBytes(), layout.stat().goal(), layout.chunks().size());
        for (FileLayout.Chunk c : layout.chunks()) {
            out().printf("  chunk %d: %016X v%d%n", c.chunkIndex(), c.chunkId(), Integer.toUnsignedLong(c.version()));
            for (FileLayout.Replica r : c.replicas()) {
                out().printf("    %s %s:%d v%d%s%n", r.serverId(), r.host(), r.port(),
                        Integer.toUnsignedLong(r.version()), r.valid() ? "" : " (invalid)");
            }
            if (c.replicas().isEmpty()) {
                out().println("    no replicas");
            }
        }
    }
}
