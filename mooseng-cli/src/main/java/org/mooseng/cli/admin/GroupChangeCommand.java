package org.mooseng.cli.admin;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.mooseng.cli.CliException;
import org.mooseng.cli.Main;
import org.mooseng.cli.fs.JsonText;
import org.mooseng.cli.fs.TargetOptions;
import org.mooseng.client.ClientOptions;
import org.mooseng.client.MasterAddress;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * A change to the master group, sent to its leader: leadership transfer, adding and removing
 * a master. Masters are named by their client address or their Raft address.
 */
abstract class GroupChangeCommand implements Callable<Integer> {
    static final Duration SURVEY_TIMEOUT = Duration.ofSeconds(3);

    @Spec
    CommandSpec spec;

    @Mixin
    TargetOptions target;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Option(names = "--timeout-seconds", paramLabel = "S", defaultValue = "60",
            description = "How long to wait for the change to take effect (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    /** Makes the change; returns the result to print. */
    protected abstract Result change(MasterGroupClient group, List<MasterAddress> masters) throws Exception;

    /** What a change did: a line for people, a record for --json. */
    protected record Result(String text, Record json) {
    }

    @Override
    public final Integer call() throws Exception {
        if (timeoutSeconds < 1) {
            throw new CliException("--timeout-seconds must be positive");
        }
        ClientOptions options = target.clientOptions();
        Result result;
        try (MasterGroupClient group = new MasterGroupClient(options.expectedClusterId().orElse(null))) {
            result = change(group, options.masters());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(json ? JsonText.of(result.json()) : result.text());
        out.flush();
        return Main.EXIT_OK;
    }

    Duration timeout() {
        return Duration.ofSeconds(timeoutSeconds);
    }

    /** The member named {@code address} (its client or Raft address), among the members that answered. */
    static Optional<MasterGroupClient.Member> find(List<MasterGroupClient.Member> members, String address) {
        String wanted = address.strip();
        return members.stream().filter(m -> m.status().isPresent())
                .filter(m -> m.address().toString().equals(wanted) || m.raftAddress().equals(wanted))
                .findFirst();
    }

    static String names(List<MasterGroupClient.Member> members) {
        return String.join(", ", members.stream().map(m -> m.address().toString()).toList());
    }
}
