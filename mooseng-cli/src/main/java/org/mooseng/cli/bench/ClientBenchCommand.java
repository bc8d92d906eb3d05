package org.mooseng.cli.bench;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.mooseng.cli.fs.TargetOptions;
import org.mooseng.client.MoosengClient;
import org.mooseng.client.MoosengFile;
import org.mooseng.client.OpenFlag;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Throughput of the Java client against a running cluster: sequential write and read of one
 * large file, and creation of many small files. A benchmark, not a test: it prints numbers
 * and checks only that the data read back is what was written.
 */
@Command(name = "client", mixinStandardHelpOptions = true,
        description = "Sequential put/get of one large file and creation of many small files through the Java client.")
public final class ClientBenchCommand implements Callable<Integer> {
    @Mixin
    TargetOptions target;

    @Option(names = "--size-mib", defaultValue = "1024", description = "Size of the large file in MiB (default ${DEFAULT-VALUE}).")
    int sizeMib;

    @Option(names = "--files", defaultValue = "10000", description = "Number of small files to create (default ${DEFAULT-VALUE}).")
    int files;

    @Option(names = "--file-bytes", defaultValue = "0", description = "Bytes written into each small file (default ${DEFAULT-VALUE}: empty files).")
    int fileBytes;

    @Option(names = "--block-kib", defaultValue = "4096", description = "Size of each write and read call in KiB (default ${DEFAULT-VALUE}).")
    int blockKib;

    @Option(names = "--threads", defaultValue = "1",
            description = "Threads creating the small files at once through the one client (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--dir-name", defaultValue = "/bench", description = "Directory in the cluster used for the run; removed afterwards.")
    String benchDir;

    @Override
    public Integer call() throws Exception {
        try (MoosengClient client = target.connect()) {
            String run = benchDir + "-" + Instant.now().toEpochMilli();
            client.mkdirs(run, 0755);
            byte[] block = new byte[blockKib << 10];
            new Random(42).nextBytes(block);
            long sizeBytes = (long) sizeMib << 20;

            long start = System.nanoTime();
            try (MoosengFile file = client.create(run + "/large", 0644, true)) {
                for (long pos = 0; pos < sizeBytes; pos += block.length) {
                    int n = (int) Math.min(block.length, sizeBytes - pos);
                    file.write(pos, ByteBuffer.wrap(block, 0, n));
                }
                file.fsync();
            }
            double writeSeconds = seconds(start);

            start = System.nanoTime();
            ByteBuffer buf = ByteBuffer.allocate(block.length);
            long total = 0;
            try (MoosengFile file = client.open(run + "/large", OpenFlag.READ)) {
                while (true) {
                    buf.clear();
                    int n = file.read(total, buf);
                    if (n <= 0) {
                        break;
                    }
                    if (!ByteBuffer.wrap(block, 0, n).equals(buf.flip())) {
                        throw new IllegalStateException("large file: data read at " + total + " differs from data written");
                    }
                    total += n;
                }
            }
            double readSeconds = seconds(start);
            if (total != sizeBytes) {
                throw new IllegalStateException("large file: read " + total + " bytes, wrote " + sizeBytes);
            }

            client.mkdir(run + "/small", 0755);
            byte[] small = new byte[fileBytes];
            start = System.nanoTime();
            createSmallFiles(client, run + "/small", small);
            double createSeconds = seconds(start);

            start = System.nanoTime();
            for (int i = 0; i < files; i++) {
                client.stat(run + "/small/f" + i);
            }
            double statSeconds = seconds(start);

            System.out.printf("seq write %d MiB: %.1f MB/s%n", sizeMib, sizeBytes / 1e6 / writeSeconds);
            System.out.printf("seq read  %d MiB: %.1f MB/s%n", sizeMib, sizeBytes / 1e6 / readSeconds);
            System.out.printf("create %d files of %d bytes, %d threads: %.0f files/s%n", files, fileBytes, threads,
                    files / createSeconds);
            System.out.printf("stat %d files by path: %.0f ops/s%n", files, files / statSeconds);

            for (int i = 0; i < files; i++) {
                client.unlink(run + "/small/f" + i);
            }
            client.rmdir(run + "/small");
            client.unlink(run + "/large");
            client.rmdir(run);
            return 0;
        }
    }

    /** Creates (and fills) the small files on {@link #threads} threads, file i on thread i mod threads. */
    private void createSmallFiles(MoosengClient client, String dir, byte[] contents) throws Exception {
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1: " + threads);
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                done.add(pool.submit(() -> {
                    for (int i = first; i < files; i += threads) {
                        try (MoosengFile file = client.create(dir + "/f" + i, 0644, true)) {
                            if (contents.length > 0) {
                                file.write(0, ByteBuffer.wrap(contents));
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> thread : done) {
                thread.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
