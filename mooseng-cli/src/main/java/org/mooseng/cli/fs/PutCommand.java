package org.mooseng.cli.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;
import org.mooseng.client.FileStat;
import org.mooseng.client.MoosengClient;
import org.mooseng.client.MoosengException;
import org.mooseng.client.MoosengFile;
import org.mooseng.client.OpenFlag;
import org.mooseng.common.Status;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code mooseng fs put LOCAL PATH}: copies a local file into the cluster (replacing PATH). */
@Command(name = "put", mixinStandardHelpOptions = true, description = "Copy a local file into the cluster; PATH may be a directory.")
public final class PutCommand extends ClientCommand {
    /** Several write frames per buffer, so one buffer keeps the chain busy. */
    static final int BUFFER_BYTES = 16 << 20;

    @Parameters(index = "0", paramLabel = "LOCAL")
    Path local;

    @Parameters(index = "1", paramLabel = "PATH")
    String path;

    /** What was copied. */
    public record Copied(String source, String target, long bytes) {
    }

    @Override
    protected void run(MoosengClient client) throws IOException {
        String target = path;
        if (client.exists(path) && client.stat(path).isDirectory()) {
            target = RemotePaths.join(path, local.getFileName().toString());
        }
        long copied = 0;
        try (FileChannel in = FileChannel.open(local, StandardOpenOption.READ);
             MoosengFile out = client.open(target, EnumSet.of(OpenFlag.WRITE, OpenFlag.CREATE, OpenFlag.TRUNCATE))) {
            ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);
            while (in.read(buffer) >= 0) {
                if (buffer.position() == 0) {
                    continue;
                }
                buffer.flip();
                copied += out.write(copied, buffer);
                buffer.clear();
            }
        }
        FileStat written = client.stat(target);
        if (written.sizeBytes() != copied) {
            throw new MoosengException(Status.EIO, target, "size after copy is " + written.sizeBytes()
                    + ", copied " + copied);
        }
        print(new Copied(local.toString(), target, copied), local + " -> " + target + " (" + copied + " bytes)");
    }
}
