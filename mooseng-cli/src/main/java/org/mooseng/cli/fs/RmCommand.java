package org.mooseng.cli.fs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.mooseng.client.DirectoryEntry;
import org.mooseng.client.FileStat;
import org.mooseng.client.FileType;
import org.mooseng.client.MoosengClient;
import org.mooseng.client.MoosengException;
import org.mooseng.common.Status;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mooseng fs rm [-r] PATH...}: symlinks are removed, never followed. */
@Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove files; with -r, directories and everything below them.")
public final class RmCommand extends ClientCommand {
    @Option(names = {"-r", "-R"}, description = "Remove directories recursively.")
    boolean recursive;

    @Parameters(paramLabel = "PATH", arity = "1..*")
    List<String> paths;

    @Override
    protected void run(MoosengClient client) throws IOException {
        List<String> removed = new ArrayList<>();
        for (String path : paths) {
            FileStat stat = client.lstat(path);
            if (stat.isDirectory()) {
                if (!recursive) {
                    throw new MoosengException(Status.EISDIR, path, "use -r");
                }
                removeTree(client, path, removed);
            } else {
                client.unlink(path);
                removed.add(path);
            }
        }
        print(removed, null);
    }

    private static void removeTree(MoosengClient client, String directory, List<String> removed) throws IOException {
        for (DirectoryEntry e : client.list(directory)) {
            String child = RemotePaths.join(directory, e.name());
            if (e.type() == FileType.DIRECTORY) {
                removeTree(client, child, removed);
            } else {
                client.unlink(child);
                removed.add(child);
            }
        }
        if (!directory.equals("/")) {
            client.rmdir(directory);
            removed.add(directory);
        }
    }
}
