package org.mooseng.cli.role;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import org.mooseng.cli.CliException;
import org.mooseng.cli.Main;
import org.mooseng.cli.Role;
import org.mooseng.common.config.Config;
import org.mooseng.master.MasterConfig;
import org.mooseng.metalogger.Restore;
import org.mooseng.metalogger.RestoreTarget;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code mooseng restore}: a new master's data directory from a metalogger's archive. */
@Command(name = "restore", description = {
        "Build the data directory of a new master from a metalogger's data (its DATA_DIR, or a copy",
        "of its log/ and snapshots/), with the cluster's id, as a group of one master. Uses the newest",
        "snapshot whose checksums verify (a damaged one is reported and the one before plus more log",
        "is used) and replays the log up to the latest entry, a log index or a time.",
        "Then start that master (mooseng master -c FILE) and the chunk servers reconnect to it."})
public final class RestoreCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--from", required = true, paramLabel = "DIR", description = "The metalogger's data directory.")
    Path from;

    @Option(names = "--to", paramLabel = "DIR",
            description = "The new master's data directory: absent or empty (default: DATA_DIR of -c).")
    Path to;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "The new master's configuration: its Raft address (ADVERTISE_HOST or LISTEN_HOST, RAFT_PORT) and DATA_DIR.")
    Path config;

    @Option(names = "--master", paramLabel = "HOST:RAFT_PORT",
            description = "The new master's Raft address, instead of -c.")
    String master;

    @ArgGroup(exclusive = true)
    Point point;

    static final class Point {
        @Option(names = "--index", paramLabel = "N", description = "Restore up to and including log index N.")
        Long index;

        @Option(names = "--time", paramLabel = "ISO-8601",
                description = "Restore every change made at or before this time (e.g. 2026-11-26T15:04:05Z).")
        String time;
    }

    @Override
    public Integer call() throws Exception {
        String raftAddress = master;
        Path target = to;
        if (config != null) {
            Config cfg = Role.MASTER.load(config);
            String host = cfg.get(MasterConfig.ADVERTISE_HOST).isEmpty()
                    ? cfg.get(MasterConfig.LISTEN_HOST) : cfg.get(MasterConfig.ADVERTISE_HOST);
            if (raftAddress == null) {
                raftAddress = host + ":" + cfg.get(MasterConfig.RAFT_PORT);
            }
            if (target == null) {
                target = Path.of(cfg.get(MasterConfig.DATA_DIR));
            }
        }
        if (raftAddress == null) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "the new master's Raft address is needed: -c MASTER_CONFIG or --master HOST:RAFT_PORT");
        }
        if (target == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--to DIR (or -c with DATA_DIR) is needed");
        }
        Restore.Outcome outcome;
        try {
            outcome = Restore.run(from, target, target(), raftAddress);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf("restored cluster %s into %s at log index %d%s%n", outcome.clusterId(), target, outcome.index(),
                outcome.time().map(t -> " (" + t + ")").orElse(""));
        out.printf("snapshot at index %d, %d log records replayed; master Raft address %s%n",
                outcome.snapshotIndex(), outcome.replayedRecords(), raftAddress);
        outcome.skippedSnapshots().forEach(s -> out.println("skipped damaged snapshot: " + s));
        outcome.tornTail().ifPresent(t -> out.println("ignored an incomplete last record: " + t));
        return Main.EXIT_OK;
    }

    private RestoreTarget target() {
        if (point == null) {
            return new RestoreTarget.Latest();
        }
        if (point.index != null) {
            return new RestoreTarget.AtIndex(point.index);
        }
        try {
            return new RestoreTarget.AtTime(Instant.parse(point.time));
        } catch (DateTimeParseException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--time " + point.time
                    + ": not an ISO-8601 instant (e.g. 2026-11-26T15:04:05Z)");
        }
    }
}
