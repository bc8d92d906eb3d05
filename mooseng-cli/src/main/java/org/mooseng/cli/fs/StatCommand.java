package org.mooseng.cli.fs;

import java.io.IOException;
import org.mooseng.client.FileStat;
import org.mooseng.client.MoosengClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code mooseng fs stat PATH}: the attributes of a path (a symlink itself, like stat -L is not). */
@Command(name = "stat", mixinStandardHelpOptions = true, description = "Show the attributes of a path (symlinks are not followed).")
public final class StatCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "PATH")
    String path;

    @Override
    protected void run(MoosengClient client) throws IOException {
        FileStat stat = client.lstat(path);
        print(stat, Formats.stat(path, stat));
    }
}
