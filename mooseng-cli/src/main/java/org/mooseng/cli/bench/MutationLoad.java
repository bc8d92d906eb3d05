package org.mooseng.cli.bench;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mooseng.cli.Errors;
import org.mooseng.client.DirectoryEntry;
import org.mooseng.client.FileStat;
import org.mooseng.client.FileType;
import org.mooseng.client.MoosengClient;
import org.mooseng.client.MoosengException;
import org.mooseng.common.InodeId;
import org.mooseng.common.Status;

/**
 * The failover benchmark's load: writers that each, in a directory of their own and through a
 * client of their own, create empty files, make directories and rename files, one mutation at a
 * time, for as long as a round lasts. Each writer notes when every mutation it saw acknowledged
 * was sent and answered, and the names it therefore expects to exist; a mutation that failed
 * leaves its names uncertain (it may or may not have been applied) and is counted as failed.
 * Nothing is counted before its reply arrived, and each reply once.
 */
final class MutationLoad {
    /** One mutation that ended in an error instead of an acknowledgement. */
    record Failure(int writer, String mutation, String error) {
    }

    /** The outcome of looking up every acknowledged name after the run. */
    record Verification(int present, List<String> missing, List<String> unexpected, int uncertain) {
        boolean passed() {
            return missing.isEmpty() && unexpected.isEmpty();
        }
    }

    private final List<Writer> writers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;

    /** Makes one directory per client under {@code runDirectory}, named w0, w1, … */
    MutationLoad(List<MoosengClient> clients, MoosengClient control, InodeId runDirectory) throws MoosengException {
        for (int i = 0; i < clients.size(); i++) {
            FileStat directory = control.mkdir(runDirectory, "w" + i, 0755);
            writers.add(new Writer(i, clients.get(i), directory.inode()));
        }
    }

    int writers() {
        return writers.size();
    }

    void start() {
        if (!threads.isEmpty()) {
            throw new IllegalStateException("load already running");
        }
        running = true;
        for (Writer writer : writers) {
            threads.add(Thread.ofPlatform().name("failover-writer-" + writer.index).start(writer::run));
        }
    }

    /** Lets every writer finish the mutation it is in, then waits for all of them. */
    void stop() throws InterruptedException {
        running = false;
        for (Thread thread : threads) {
            thread.join();
        }
        threads.clear();
    }

    /** From now on, note for each writer whether it gets a mutation acknowledged that it sent after {@code nanos}. */
    void watchForResumeAfter(long nanos) {
        for (Writer writer : writers) {
            writer.watchFrom(nanos);
        }
    }

    /** Whether every writer got a mutation acknowledged that it sent after the instant being watched for. */
    boolean everyWriterResumed() {
        return writers.stream().allMatch(w -> w.resumed);
    }

    /** The acknowledgements since the last call; only while the load is stopped. */
    List<FailoverTiming.Acknowledgement> takeAcknowledgements() {
        requireStopped();
        List<FailoverTiming.Acknowledgement> all = new ArrayList<>();
        for (Writer writer : writers) {
            all.addAll(writer.acknowledgements);
            writer.acknowledgements.clear();
        }
        return all;
    }

    /** Every mutation that failed so far; only while the load is stopped. */
    List<Failure> failures() {
        requireStopped();
        return writers.stream().flatMap(w -> w.failures.stream()).toList();
    }

    long acknowledged() {
        requireStopped();
        return writers.stream().mapToLong(w -> w.acknowledged).sum();
    }

    /**
     * Looks up every name a writer expects, each writer on its own client and thread, and lists
     * each directory for names nobody expects (only a failed mutation may leave one).
     */
    Verification verify() throws InterruptedException {
        requireStopped();
        List<Verification> results = new ArrayList<>(java.util.Collections.nCopies(writers.size(), null));
        List<Thread> checkers = new ArrayList<>();
        for (Writer writer : writers) {
            checkers.add(Thread.ofPlatform().name("failover-verify-" + writer.index)
                    .start(() -> results.set(writer.index, writer.verify())));
        }
        for (Thread checker : checkers) {
            checker.join();
        }
        int present = 0;
        int uncertain = 0;
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        for (Verification v : results) {
            present += v.present();
            uncertain += v.uncertain();
            missing.addAll(v.missing());
            unexpected.addAll(v.unexpected());
        }
        return new Verification(present, missing, unexpected, uncertain);
    }

    private void requireStopped() {
        if (!threads.isEmpty()) {
            throw new IllegalStateException("load still running");
        }
    }

    @FunctionalInterface
    private interface Mutation {
        void apply() throws MoosengException;
    }

    /** One writer. Its fields other than the volatile ones are touched by its thread, and read after a join. */
    private final class Writer {
        private final int index;
        private final MoosengClient client;
        private final InodeId directory;
        /** Names the writer saw acknowledged and expects to exist, with their type. */
        private final Map<String, FileType> expected = new LinkedHashMap<>();
        /** Names a failed mutation may or may not have made or removed. */
        private final Set<String> uncertain = new HashSet<>();
        private final List<FailoverTiming.Acknowledgement> acknowledgements = new ArrayList<>();
        private final List<Failure> failures = new ArrayList<>();
        private long acknowledged;
        private long next;
        private volatile boolean watching;
        private volatile long watchFromNanos;
        private volatile boolean resumed;

        Writer(int index, MoosengClient client, InodeId directory) {
            this.index = index;
            this.client = client;
            this.directory = directory;
        }

        void watchFrom(long nanos) {
            resumed = false;
            watchFromNanos = nanos;
            watching = true;
        }

        void run() {
            while (running) {
                step(next++);
            }
            watching = false;
        }

        /** Create f{i}; every fourth step also mkdir d{i}; every second step rename f{i} to r{i}. */
        private void step(long i) {
            String file = "f" + i;
            if (!mutate("create " + file, () -> client.create(directory, file, 0644, true))) {
                uncertain.add(file);
                return;
            }
            expected.put(file, FileType.REGULAR);
            if (i % 4 == 0) {
                String dir = "d" + i;
                if (mutate("mkdir " + dir, () -> client.mkdir(directory, dir, 0755))) {
                    expected.put(dir, FileType.DIRECTORY);
                } else {
                    uncertain.add(dir);
                }
            }
            if (i % 2 == 0) {
                String renamed = "r" + i;
                expected.remove(file);
                if (mutate("rename " + file + " " + renamed,
                        () -> client.rename(directory, file, directory, renamed, 0))) {
                    expected.put(renamed, FileType.REGULAR);
                } else {
                    uncertain.add(file);
                    uncertain.add(renamed);
                }
            }
        }

        private boolean mutate(String description, Mutation mutation) {
            long sentNanos = System.nanoTime();
            try {
                mutation.apply();
            } catch (MoosengException | RuntimeException e) {
                failures.add(new Failure(index, "w" + index + ": " + description, Errors.oneLine(e)));
                return false;
            }
            long ackedNanos = System.nanoTime();
            acknowledgements.add(new FailoverTiming.Acknowledgement(index, sentNanos, ackedNanos));
            acknowledged++;
            if (watching && sentNanos - watchFromNanos > 0) {
                resumed = true;
            }
            return true;
        }

        Verification verify() {
            int present = 0;
            List<String> missing = new ArrayList<>();
            List<String> unexpected = new ArrayList<>();
            for (Map.Entry<String, FileType> entry : expected.entrySet()) {
                String name = "w" + index + "/" + entry.getKey();
                try {
                    FileStat stat = client.lookup(directory, entry.getKey());
                    if (stat.type() == entry.getValue()) {
                        present++;
                    } else {
                        missing.add(name + ": a " + stat.type() + ", acknowledged as a " + entry.getValue());
                    }
                } catch (MoosengException e) {
                    missing.add(e.status() == Status.ENOENT ? name + ": missing" : name + ": " + Errors.oneLine(e));
                }
            }
            try {
                for (DirectoryEntry entry : client.list(directory)) {
                    if (!expected.containsKey(entry.name()) && !uncertain.contains(entry.name())) {
                        unexpected.add("w" + index + "/" + entry.name());
                    }
                }
            } catch (MoosengException e) {
                unexpected.add("w" + index + ": listing failed: " + Errors.oneLine(e));
            }
            return new Verification(present, missing, unexpected, uncertain.size());
        }
    }
}
