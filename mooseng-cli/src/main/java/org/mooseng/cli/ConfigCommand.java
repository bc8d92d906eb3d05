package org.mooseng.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "config", description = "Print or check role configuration files.",
        subcommands = {ConfigCommand.Sample.class, ConfigCommand.Check.class})
public final class ConfigCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: sample or check");
    }

    static Role role(CommandSpec spec, String name) {
        return Role.byCommand(name).orElseThrow(() -> new CommandLine.ParameterException(spec.commandLine(),
                "unknown role '" + name + "' (roles: " + Role.commands() + ")"));
    }

    @Command(name = "sample", description = "Print the documented configuration file of ROLE with every default.")
    static final class Sample implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "ROLE", description = "master or chunkserver")
        String role;

        @Override
        public Integer call() {
            spec.commandLine().getOut().print(role(spec, role).schema().sample());
            spec.commandLine().getOut().flush();
            return Main.EXIT_OK;
        }
    }

    @Command(name = "check", description = "Check a configuration file of ROLE: unknown keys, bad values.")
    static final class Check implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ROLE", description = "master or chunkserver")
        String role;

        @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "The file to check.")
        Path file;

        @Override
        public Integer call() throws Exception {
            role(spec, role).load(file);
            spec.commandLine().getOut().println(file + ": valid " + role + " configuration");
            return Main.EXIT_OK;
        }
    }
}
