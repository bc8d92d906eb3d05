package org.mooseng.cli;

import java.io.PrintWriter;
import org.mooseng.cli.admin.AdminCommand;
import org.mooseng.cli.bench.BenchCommand;
import org.mooseng.cli.fs.FsCommand;
import org.mooseng.cli.local.DownCommand;
import org.mooseng.cli.local.StatusCommand;
import org.mooseng.cli.local.UpCommand;
import org.mooseng.cli.mount.MountCommand;
import org.mooseng.cli.role.ChunkServerCommand;
import org.mooseng.cli.role.MasterCommand;
import org.mooseng.cli.role.MetaloggerCommand;
import org.mooseng.cli.role.RestoreCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The single entry point of every MooseNG process: role daemons, the local cluster and the
 * administration commands. Exit codes: 0 success, 1 an error (one line on stderr), 2 bad
 * arguments (usage on stderr), 3 {@code status} found something not running.
 */
// INHERIT gives every subcommand --help and --version.
@Command(name = "mooseng", mixinStandardHelpOptions = true, versionProvider = Version.Provider.class,
        scope = CommandLine.ScopeType.INHERIT,
        description = "MooseNG distributed file system.",
        subcommands = {
                MasterCommand.class,
                ChunkServerCommand.class,
                MetaloggerCommand.class,
                RestoreCommand.class,
                ConfigCommand.class,
                UpCommand.class,
                DownCommand.class,
                StatusCommand.class,
                FsCommand.class,
                MountCommand.class,
                AdminCommand.class,
                BenchCommand.class,
                VersionCommand.class,
                CommandLine.HelpCommand.class,
        })
public final class Main implements Runnable {
    public static final int EXIT_OK = 0;
    public static final int EXIT_ERROR = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_NOT_RUNNING = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs one command line with the given output streams and returns its exit code. */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        return commandLine(out, err).execute(args);
    }

    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((e, args) -> {
            PrintWriter writer = e.getCommandLine().getErr();
            writer.println(e.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(e, writer);
            e.getCommandLine().usage(writer);
            writer.flush();
            return EXIT_USAGE;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("mooseng " + commandLine.getCommandName() + ": " + Errors.oneLine(e));
            if (System.getenv("MOOSENG_DEBUG") != null) {
                e.printStackTrace(commandLine.getErr());
            }
            commandLine.getErr().flush();
            return EXIT_ERROR;
        });
        return cli;
    }

    @Override
    public void run() {
        // Without a subcommand there is nothing to do: show what there is.
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }
}
