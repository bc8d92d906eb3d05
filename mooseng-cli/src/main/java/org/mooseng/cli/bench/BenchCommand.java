package org.mooseng.cli.bench;

import picocli.CommandLine.Command;

/** Benchmarks that run against a live cluster (see bench/ for the scripts that start one). */
@Command(name = "bench", mixinStandardHelpOptions = true,
        subcommands = {ClientBenchCommand.class, MetaBenchCommand.class, FailoverBenchCommand.class},
        description = "Benchmarks against a running cluster.")
public final class BenchCommand {
}
