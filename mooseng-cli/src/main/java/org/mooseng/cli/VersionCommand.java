package org.mooseng.cli;

import java.util.concurrent.Callable;
import org.mooseng.cli.local.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "version", description = "Print the MooseNG and Java versions.")
public final class VersionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
        if (json) {
            spec.commandLine().getOut().println(new Json.ObjectWriter()
                    .field("version", Version.project())
                    .field("java", Runtime.version().toString())
                    .toString());
        } else {
            spec.commandLine().getOut().println("mooseng " + Version.project() + " (Java " + Runtime.version() + ")");
        }
        return Main.EXIT_OK;
    }
}
