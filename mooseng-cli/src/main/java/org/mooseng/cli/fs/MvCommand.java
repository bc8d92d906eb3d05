package org.mooseng.cli.fs;

import java.io.IOException;
import org.mooseng.client.FileStat;
import org.mooseng.client.MoosengClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code mooseng fs mv FROM TO}: rename; into TO when TO is a directory. */
@Command(name = "mv", mixinStandardHelpOptions = true, description = "Rename or move; TO may be an existing directory.")
public final class MvCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "FROM")
    String from;

    @Parameters(index = "1", paramLabel = "TO")
    String to;

    /** Where a path went. */
    public record Moved(String from, String to, FileStat stat) {
    }

    @Override
    protected void run(MoosengClient client) throws IOException {
        String target = to;
        if (client.exists(to) && client.stat(to).isDirectory()) {
            target = RemotePaths.join(to, RemotePaths.baseName(from));
        }
        FileStat moved = client.rename(from, target);
        print(new Moved(from, target, moved), null);
    }
}
