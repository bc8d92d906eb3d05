package org.mooseng.cli.admin;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code mooseng admin}: what the master knows about the cluster, servers and files. */
@Command(name = "admin", mixinStandardHelpOptions = true,
        description = "Inspect the cluster, its chunk servers and file layouts; set goals.",
        subcommands = {
                InfoCommand.class,
                ChunkServersCommand.class,
                FileInfoCommand.class,
                SetGoalCommand.class,
                GetGoalCommand.class,
        })
public final class AdminCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing admin command");
    }
}
