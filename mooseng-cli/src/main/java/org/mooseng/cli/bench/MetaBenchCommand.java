package org.mooseng.cli.bench;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.mooseng.cli.fs.TargetOptions;
import org.mooseng.client.ClientOptions;
import org.mooseng.client.MoosengClient;
import org.mooseng.client.MoosengException;
import org.mooseng.common.InodeId;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code mooseng bench meta}: metadata operations per second through the Java client, in four
 * phases over the same empty files in a fresh directory: create, stat (a lookup by name),
 * rename, unlink. Operations go by parent inode, one master call each, so the figure is the
 * master's (or master group's) rate and not the path walk's. A benchmark, not a test.
 */
@Command(name = "meta", mixinStandardHelpOptions = true,
        description = {"Metadata operations per second through the Java client: create, stat, rename and unlink "
                + "of empty files in a fresh directory, each phase timed on its own.",
                "Run it against one master and against a group of three to see what replication costs."})
public final class MetaBenchCommand implements Callable<Integer> {
    /** Files taken through all four phases first, unmeasured, so the client and masters are warm. */
    private static final int WARM_UP_FILES = 500;

    @Spec
    CommandSpec spec;

    @Mixin
    TargetOptions target;

    @Option(names = "--ops", paramLabel = "N", defaultValue = "10000",
            description = "Files per phase, i.e. operations of each kind (default ${DEFAULT-VALUE}).")
    int files;

    @Option(names = "--threads", paramLabel = "T", defaultValue = "4",
            description = "Threads issuing operations through one shared client (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--dir-name", paramLabel = "PATH", defaultValue = "/meta-bench",
            description = "Prefix of the directory made in the cluster for the run; it is removed afterwards.")
    String benchDir;

    /** One phase's work on file number {@code i} of the directory. */
    @FunctionalInterface
    private interface Operation {
        void apply(MoosengClient client, InodeId directory, int i) throws MoosengException;
    }

    private record Phase(String name, Operation operation) {
    }

    private static final List<Phase> PHASES = List.of(
            new Phase("create", (c, d, i) -> c.create(d, "f" + i, 0644, true)),
            new Phase("stat", (c, d, i) -> c.lookup(d, "f" + i)),
            new Phase("rename", (c, d, i) -> c.rename(d, "f" + i, d, "r" + i, 0)),
            new Phase("unlink", (c, d, i) -> c.unlink(d, "r" + i)));

    @Override
    public Integer call() throws Exception {
        if (files < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--ops must be at least 1");
        }
        if (threads < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--threads must be at least 1");
        }
        PrintWriter out = spec.commandLine().getOut();
        ClientOptions options = target.clientOptions();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (MoosengClient client = MoosengClient.connect(options)) {
            String runName = benchDir.replaceAll("^/+", "") + "-" + Instant.now().toEpochMilli();
            InodeId run = client.mkdirs("/" + runName, 0755).inode();
            InodeId warmUp = client.mkdir(run, "warm-up", 0755).inode();
            for (Phase phase : PHASES) {
                runPhase(pool, client, warmUp, Math.min(WARM_UP_FILES, files), phase);
            }
            InodeId measured = client.mkdir(run, "measured", 0755).inode();
            out.printf(Locale.ROOT, "metadata operations through the Java client: %d masters configured, %d threads, "
                    + "%d empty files in /%s%n", options.masters().size(), threads, files, runName);
            Duration total = Duration.ZERO;
            for (Phase phase : PHASES) {
                Duration took = runPhase(pool, client, measured, files, phase);
                total = total.plus(took);
                out.printf(Locale.ROOT, "%-7s %8d ops in %7.2f s: %8.0f ops/s%n", phase.name(), files,
                        seconds(took), files / seconds(took));
            }
            long operations = (long) files * PHASES.size();
            out.printf(Locale.ROOT, "%-7s %8d ops in %7.2f s: %8.0f ops/s%n", "total", operations, seconds(total),
                    operations / seconds(total));
            out.flush();
            client.rmdir(run, "measured");
            client.rmdir(run, "warm-up");
            client.rmdir("/" + runName);
            return 0;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Runs one phase over files 0..count-1, thread t taking every threads-th file from t; returns its wall time. */
    private Duration runPhase(ExecutorService pool, MoosengClient client, InodeId directory, int count, Phase phase)
            throws InterruptedException, MoosengException {
        List<Future<Void>> parts = new ArrayList<>();
        long startNanos = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            int first = t;
            parts.add(pool.submit(() -> {
                for (int i = first; i < count; i += threads) {
                    phase.operation().apply(client, directory, i);
                }
                return null;
            }));
        }
        for (Future<Void> part : parts) {
            try {
                part.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof MoosengException m) {
                    throw m;
                }
                throw new IllegalStateException(phase.name() + " failed", e.getCause());
            }
        }
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    private static double seconds(Duration duration) {
        return duration.toNanos() / 1e9;
    }
}
