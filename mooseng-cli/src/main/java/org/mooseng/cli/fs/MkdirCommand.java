package org.mooseng.cli.fs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.mooseng.client.FileStat;
import org.mooseng.client.MoosengClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mooseng fs mkdir [-p] PATH...}. */
@Command(name = "mkdir", mixinStandardHelpOptions = true, description = "Create directories.")
public final class MkdirCommand extends ClientCommand {
    @Option(names = "-p", description = "Create missing parents; an existing directory is no error.")
    boolean parents;

    @Option(names = "-m", paramLabel = "MODE", defaultValue = "755", description = "Octal mode (default ${DEFAULT-VALUE}).")
    String mode;

    @Parameters(paramLabel = "PATH", arity = "1..*")
    List<String> paths;

    @Override
    protected void run(MoosengClient client) throws IOException {
        int bits;
        try {
            bits = Integer.parseInt(mode, 8);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("mode must be octal: " + mode);
        }
        List<FileStat> created = new ArrayList<>();
        for (String path : paths) {
            created.add(parents ? client.mkdirs(path, bits) : client.mkdir(path, bits));
        }
        print(created, null);
    }
}
