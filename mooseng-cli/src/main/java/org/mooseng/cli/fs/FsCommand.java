package org.mooseng.cli.fs;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code mooseng fs}: files and directories of a cluster, through the Java client. */
@Command(name = "fs", mixinStandardHelpOptions = true,
        description = "Copy files in and out of a cluster and manage its namespace.",
        subcommands = {
                PutCommand.class,
                GetCommand.class,
                LsCommand.class,
                StatCommand.class,
                MkdirCommand.class,
                RmCommand.class,
                MvCommand.class,
                LnCommand.class,
        })
public final class FsCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing fs command");
    }
}
