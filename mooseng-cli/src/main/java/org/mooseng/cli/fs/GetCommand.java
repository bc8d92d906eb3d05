package org.mooseng.cli.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.mooseng.client.MoosengClient;
import org.mooseng.client.MoosengFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code mooseng fs get PATH LOCAL}: copies a file out of the cluster. */
@Command(name = "get", mixinStandardHelpOptions = true, description = "Copy a file out of the cluster; LOCAL may be a directory.")
public final class GetCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "PATH")
    String path;

    @Parameters(index = "1", paramLabel = "LOCAL")
    Path local;

    @Override
    protected void run(MoosengClient client) throws IOException {
        Path target = Files.isDirectory(local) ? local.resolve(RemotePaths.baseName(path)) : local;
        long copied = 0;
        try (MoosengFile in = client.open(path);
             FileChannel out = FileChannel.open(target, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                     StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.allocate(PutCommand.BUFFER_BYTES);
            int n;
            while ((n = in.read(copied, buffer)) > 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                buffer.clear();
                copied += n;
            }
        }
        print(new PutCommand.Copied(path, target.toString(), copied),
                path + " -> " + target + " (" + copied + " bytes)");
    }
}
