package org.mooseng.cli.admin;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code mooseng admin}: what the masters know about the cluster, servers and files; the master group. */
@Command(name = "admin", mixinStandardHelpOptions = true,
        description = "Inspect the cluster, its chunk servers, file layouts and masters; set goals; change the"
                + " master group.",
        subcommands = {
                InfoCommand.class,
                ChunkServersCommand.class,
                FileInfoCommand.class,
                SetGoalCommand.class,
                GetGoalCommand.class,
                MastersCommand.class,
                TransferLeaderCommand.class,
                AddMasterCommand.class,
                RemoveMasterCommand.class,
                MetaloggersCommand.class,
                NamespaceDigestCommand.class,
        })
public final class AdminCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing admin command");
    }
}
