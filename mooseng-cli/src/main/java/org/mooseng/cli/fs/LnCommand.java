package org.mooseng.cli.fs;

import java.io.IOException;
import org.mooseng.client.FileStat;
import org.mooseng.client.MoosengClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mooseng fs ln [-s] TARGET LINK}. */
@Command(name = "ln", mixinStandardHelpOptions = true, description = "Make a hard link to TARGET, or with -s a symbolic link holding TARGET.")
public final class LnCommand extends ClientCommand {
    @Option(names = "-s", description = "Symbolic link (TARGET is stored as given, need not exist).")
    boolean symbolic;

    @Parameters(index = "0", paramLabel = "TARGET")
    String linkTarget;

    @Parameters(index = "1", paramLabel = "LINK")
    String link;

    @Override
    protected void run(MoosengClient client) throws IOException {
        FileStat made = symbolic ? client.symlink(linkTarget, link) : client.link(linkTarget, link);
        print(made, null);
    }
}
