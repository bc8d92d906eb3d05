package org.mooseng.cli.admin;

import java.io.IOException;
import org.mooseng.cli.fs.ClientCommand;
import org.mooseng.client.MoosengClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code mooseng admin getgoal PATH}. */
@Command(name = "getgoal", mixinStandardHelpOptions = true, description = "Show how many copies are kept of each chunk of PATH.")
public final class GetGoalCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "PATH")
    String path;

    @Override
    protected void run(MoosengClient client) throws IOException {
        int goal = client.getGoal(path);
        print(new SetGoalCommand.Goal(path, goal, false), path + ": " + goal);
    }
}
