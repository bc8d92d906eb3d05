package org.mooseng.dist;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A local cluster started through {@code bin/mooseng up} in a test's directory. Closing it
 * kills every daemon whose PID file exists, so a failing test leaves nothing running.
 */
public final class LocalClusterProcesses implements AutoCloseable {
    public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(120);
    private static final Pattern CLUSTER_ID = Pattern.compile("(?m)^CLUSTER_ID = (\\S+)$");
    /** The largest group 'mooseng up' starts; master m's ports are at base + 1000(m-1). */
    private static final int MAX_MASTERS = 5;

    private final Path workDir;
    private final Path clusterDir;
    private final int basePort;
    private final List<Long> seenPids = new ArrayList<>();

    public LocalClusterProcesses(Path workDir, int chunkServers) throws IOException {
        this(workDir, 1, chunkServers);
    }

    /** A cluster of {@code masters} masters: pass {@code --masters} to {@link #up} as well. */
    public LocalClusterProcesses(Path workDir, int masters, int chunkServers) throws IOException {
        this.workDir = workDir;
        this.clusterDir = workDir.resolve("cluster");
        this.basePort = freeBasePort(masters, chunkServers);
    }

    /**
     * Runs {@code up} (which mounts the cluster at DIR/mnt) and checks that the mount is there;
     * if not, stops what was started and fails with up's output.
     */
    public static LocalClusterProcesses upMounted(Path workDir, int chunkServers)
            throws IOException, InterruptedException {
        LocalClusterProcesses cluster = new LocalClusterProcesses(workDir, chunkServers);
        Launcher.Result up = cluster.up();
        if (up.exitCode() != 0
                || !Files.readString(Path.of("/proc/mounts")).contains(" " + cluster.mnt() + " fuse.mooseng ")) {
            cluster.close();
            throw new AssertionError("mooseng up did not mount " + cluster.mnt() + "\n" + up);
        }
        return cluster;
    }

    public Path dir() {
        return clusterDir;
    }

    /** Where {@code up} mounts the cluster. */
    public Path mnt() {
        return clusterDir.resolve("mnt");
    }

    public int basePort() {
        return basePort;
    }

    public Launcher.Result up(String... extra) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("up", "--dir", clusterDir.toString(), "--base-port",
                String.valueOf(basePort)));
        args.addAll(List.of(extra));
        Launcher.Result result = Launcher.run(COMMAND_TIMEOUT, workDir, args.toArray(String[]::new));
        seenPids.addAll(pids());
        return result;
    }

    public Launcher.Result down() throws IOException, InterruptedException {
        return Launcher.run(COMMAND_TIMEOUT, workDir, "down", "--dir", clusterDir.toString());
    }

    public Launcher.Result status(String... extra) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("status", "--dir", clusterDir.toString()));
        args.addAll(List.of(extra));
        return Launcher.run(COMMAND_TIMEOUT, workDir, args.toArray(String[]::new));
    }

    public String clusterId() throws IOException {
        Matcher m = CLUSTER_ID.matcher(Files.readString(clusterDir.resolve("mooseng-cluster.conf")));
        if (!m.find()) {
            throw new AssertionError("no CLUSTER_ID in mooseng-cluster.conf");
        }
        return m.group(1);
    }

    /** The PIDs in DIR/run/*.pid right now. */
    public List<Long> pids() throws IOException {
        Path run = clusterDir.resolve("run");
        if (!Files.isDirectory(run)) {
            return List.of();
        }
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> files = Files.list(run)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".pid")).toList()) {
                pids.add(Long.parseLong(Files.readString(file).strip()));
            }
        }
        return pids;
    }

    /** The configuration file of a daemon ({@code master-1}, {@code chunkserver-2}) that up wrote. */
    public Path config(String daemon) {
        return clusterDir.resolve("etc").resolve(daemon + ".cfg");
    }

    /** The value of {@code key} in a daemon's configuration file; fails when the file does not set it. */
    public String configValue(String daemon, String key) throws IOException {
        String text = Files.readString(config(daemon));
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(key) + " = (.*)$").matcher(text);
        if (!m.find()) {
            throw new AssertionError(config(daemon) + " does not set " + key);
        }
        return m.group(1).strip();
    }

    /** SIGKILLs a daemon by its PID file and waits until it is gone; returns its PID. */
    public long kill9(String daemon) throws IOException, InterruptedException {
        long pid = Long.parseLong(Files.readString(clusterDir.resolve("run/" + daemon + ".pid")).strip());
        ProcessHandle process = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError(daemon + " is not running"));
        new ProcessBuilder("kill", "-9", String.valueOf(pid)).start().waitFor();
        try {
            process.onExit().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError(daemon + " (pid " + pid + ") still runs 30 s after kill -9", e);
        }
        return pid;
    }

    /**
     * A loopback port free right now and outside this cluster's port plan, for a daemon the test
     * runs beside the cluster (a metalogger).
     */
    public int freePortOutsidePlan() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                int port = socket.getLocalPort();
                if (port < basePort || port >= basePort + 1000 * MAX_MASTERS) {
                    return port;
                }
            }
        }
        throw new IOException("no free port outside " + basePort + ".." + (basePort + 1000 * MAX_MASTERS));
    }

    /** Every daemon PID this harness has seen, so a test can check that they are gone. */
    public List<Long> seenPids() {
        return List.copyOf(seenPids);
    }

    @Override
    public void close() throws IOException {
        // A mount whose process is killed leaves a dead mount point behind: unmount it first
        // (and again after the kills, in case the mount process died on its own).
        Shell.unmount(mnt());
        List<Long> all = new ArrayList<>(seenPids);
        all.addAll(pids());
        for (long pid : all) {
            ProcessHandle.of(pid).ifPresent(p -> {
                // Only our daemons: a reused PID of an unrelated process is left alone.
                boolean ours = p.info().commandLine().map(c -> c.contains(clusterDir.toString())).orElse(false);
                if (ours) {
                    p.destroyForcibly();
                    try {
                        p.onExit().get(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        // Reported by the test's own assertions; keep killing the rest.
                    }
                }
            });
        }
        Shell.unmount(mnt());
    }

    /**
     * A base port P such that P .. P+10*(chunkServers+1) and every further master's block of 10
     * (P+1000(m-1), the plan of 'mooseng up') are all free on loopback right now.
     */
    private static int freeBasePort(int masters, int chunkServers) throws IOException {
        int span = 10 * (chunkServers + 1);
        // Below the ephemeral range: the cluster's own outgoing connections take ports from it
        // and could take a planned port between this check and the daemon's bind.
        int top = Math.min(60_000, firstEphemeralPort()) - 1000 * masters;
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20_000, Math.max(20_001, top));
            boolean free = allFree(base, span);
            for (int m = 2; m <= masters && free; m++) {
                free = allFree(base + 1000 * (m - 1), 10);
            }
            if (free) {
                return base;
            }
        }
        throw new IOException("no free port plan found for " + masters + " masters and " + chunkServers
                + " chunk servers");
    }

    /** The lowest port the kernel hands to outgoing connections (32768 when unknown). */
    private static int firstEphemeralPort() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).strip();
            return Integer.parseInt(range.split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }

    private static boolean allFree(int base, int span) {
        for (int port = base; port < base + span; port++) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }
}
