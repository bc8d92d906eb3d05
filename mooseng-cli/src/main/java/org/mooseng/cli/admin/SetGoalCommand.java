package org.mooseng.cli.admin;

import java.io.IOException;
import org.mooseng.cli.fs.ClientCommand;
import org.mooseng.client.FileStat;
import org.mooseng.client.MoosengClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mooseng admin setgoal PATH N [-r]}. */
@Command(name = "setgoal", mixinStandardHelpOptions = true, description = "Keep N copies of each chunk of PATH (and below it, with -r).")
public final class SetGoalCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "PATH")
    String path;

    @Parameters(index = "1", paramLabel = "N")
    int goal;

    @Option(names = {"-r", "-R"}, description = "Apply to everything below PATH as well.")
    boolean recursive;

    /** The goal as set. */
    public record Goal(String path, int goal, boolean recursive) {
    }

    @Override
    protected void run(MoosengClient client) throws IOException {
        FileStat stat = client.setGoal(path, goal, recursive);
        print(new Goal(path, stat.goal(), recursive), path + ": goal " + stat.goal() + (recursive ? " (recursive)" : ""));
    }
}
