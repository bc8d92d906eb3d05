package org.mooseng.dist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Network namespaces for partition tests, made with iproute2 ({@code ip}, as root). Member k
 * (1-based) gets its own namespace joined by a veth pair to one bridge in the root namespace,
 * and the address {@code 10.213.S.k} on a /24 where the bridge holds {@code .254}: members
 * reach each other over the bridge, and the test (in the root namespace) reaches every one.
 * {@link #cut} adds blackhole routes between two members, in both of their namespaces, which
 * leaves the root namespace's paths alone, so the test keeps watching both sides.
 *
 * <p>{@link #close} SIGKILLs whatever still runs in the namespaces, then deletes the namespaces
 * (which deletes their veth pairs) and the bridge, so a failing test leaves no namespace, link
 * or process behind.
 */
final class NetworkNamespaces implements AutoCloseable {
    private static final Duration IP_TIMEOUT = Duration.ofSeconds(30);
    private static final String NETWORK = "10.213.";
    private static final int ROOT_HOST = 254;
    /** Interface names are at most 15 bytes: "mnp" + 4 hex digits + a short suffix. */
    private static final String NAME_PREFIX = "mnp";

    private final String tag;
    private final String subnet;
    private final int members;
    private final List<String> namespaces = new ArrayList<>();
    private final List<Process> started = new ArrayList<>();
    private boolean bridgeCreated;

    private NetworkNamespaces(String tag, String subnet, int members) {
        this.tag = tag;
        this.subnet = subnet;
        this.members = members;
    }

    /**
     * Creates {@code members} namespaces on a /24 of 10.213.0.0/16 that no route of this machine
     * uses yet. Fails (never skips) with the reason when namespaces cannot be made, e.g. when
     * the test does not run as root.
     */
    static NetworkNamespaces create(int members) throws IOException, InterruptedException {
        String tag = NAME_PREFIX + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
        NetworkNamespaces net = new NetworkNamespaces(tag, freeSubnet(), members);
        try {
            net.build();
            return net;
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            net.close();
            throw e;
        }
    }

    private void build() throws IOException, InterruptedException {
        String first = namespace(1);
        IpResult probe = ip("netns", "add", first);
        if (probe.exitCode() != 0) {
            throw new AssertionError("cannot create network namespace " + first + ": this test needs root"
                    + " (CAP_SYS_ADMIN and CAP_NET_ADMIN) and iproute2\n" + probe.output());
        }
        namespaces.add(first);
        ok("link", "add", bridge(), "type", "bridge");
        bridgeCreated = true;
        ok("addr", "add", subnet + ROOT_HOST + "/24", "dev", bridge());
        ok("link", "set", bridge(), "up");
        for (int member = 1; member <= members; member++) {
            if (member > 1) {
                ok("netns", "add", namespace(member));
                namespaces.add(namespace(member));
            }
            String inside = tag + "n" + member;
            ok("link", "add", hostVeth(member), "type", "veth", "peer", "name", inside);
            ok("link", "set", inside, "netns", namespace(member));
            ok("link", "set", hostVeth(member), "master", bridge());
            ok("link", "set", hostVeth(member), "up");
            ok("-n", namespace(member), "addr", "add", address(member) + "/24", "dev", inside);
            ok("-n", namespace(member), "link", "set", inside, "up");
            ok("-n", namespace(member), "link", "set", "lo", "up");
        }
    }

    /** The namespace of member {@code member} (1-based). */
    String namespace(int member) {
        checkMember(member);
        return "mooseng-" + tag + "-" + member;
    }

    /** Member {@code member}'s address, reachable from the root namespace and from the other members. */
    String address(int member) {
        checkMember(member);
        return subnet + member;
    }

    /** Drops every packet between members {@code a} and {@code b}, both ways (blackhole routes in both namespaces). */
    void cut(int a, int b) throws IOException, InterruptedException {
        addBlackhole(a, b);
        addBlackhole(b, a);
    }

    /** Undoes {@link #cut}. */
    void heal(int a, int b) throws IOException, InterruptedException {
        removeBlackhole(a, b);
        removeBlackhole(b, a);
    }

    /**
     * Starts {@code command} inside member {@code member}'s namespace ({@code ip netns exec}, which
     * execs in place: the process is the command itself), output to {@code log}. The process is
     * SIGKILLed on {@link #close} if it still runs.
     */
    Launcher.Background start(int member, Path workDir, Path log, Map<String, String> environment,
                              List<String> command) throws IOException {
        List<String> inNamespace = new ArrayList<>(List.of("ip", "netns", "exec", namespace(member)));
        inNamespace.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(inNamespace).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        synchronized (started) {
            started.add(process);
        }
        return new Launcher.Background(process, log);
    }

    private void addBlackhole(int from, int to) throws IOException, InterruptedException {
        ok("-n", namespace(from), "route", "add", "blackhole", address(to) + "/32");
    }

    private void removeBlackhole(int from, int to) throws IOException, InterruptedException {
        ok("-n", namespace(from), "route", "del", "blackhole", address(to) + "/32");
    }

    /**
     * Kills, deletes and never throws. It uses nothing outside this class and the JDK, so it
     * still cleans up when the test's own classes have become unloadable under it.
     */
    @Override
    public void close() {
        List<Process> running;
        synchronized (started) {
            running = List.copyOf(started);
        }
        for (Process process : running) {
            kill(process.toHandle());
        }
        for (String namespace : namespaces) {
            killEverythingIn(namespace);
            quietly("netns", "del", namespace);
        }
        for (int member = 1; member <= members; member++) {
            // Normally gone with its namespace; left over only if the namespace move failed.
            if (quietly("link", "show", hostVeth(member)).exitCode() == 0) {
                quietly("link", "del", hostVeth(member));
            }
        }
        if (bridgeCreated) {
            quietly("link", "del", bridge());
        }
        namespaces.clear();
    }

    /** SIGKILLs, by PID, every process left in one of our namespaces (a daemon's stray child). */
    private static void killEverythingIn(String namespace) {
        IpResult pids = quietly("netns", "pids", namespace);
        for (String line : pids.exitCode() == 0 ? pids.output().strip().split("\\s+") : new String[0]) {
            if (line.matches("\\d+")) {
                ProcessHandle.of(Long.parseLong(line)).ifPresent(NetworkNamespaces::kill);
            }
        }
    }

    private static void kill(ProcessHandle process) {
        try {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.onExit().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // Still running: 'ip netns del' then only removes the name; the test's assertions report it.
        }
    }

    private String bridge() {
        return tag + "br";
    }

    private String hostVeth(int member) {
        return tag + "h" + member;
    }

    private void checkMember(int member) {
        if (member < 1 || member > members) {
            throw new IllegalArgumentException("member " + member + " of " + members);
        }
    }

    /** A 10.213.S. prefix that no address or route of the root namespace mentions. */
    private static String freeSubnet() throws IOException, InterruptedException {
        String inUse = ip("-4", "route", "show", "table", "all").output() + ip("-4", "addr").output();
        for (int attempt = 0; attempt < 50; attempt++) {
            String candidate = NETWORK + ThreadLocalRandom.current().nextInt(1, 255) + ".";
            if (!inUse.contains(candidate)) {
                return candidate;
            }
        }
        throw new IOException("no free /24 in " + NETWORK + "0.0/16:\n" + inUse);
    }

    private record IpResult(int exitCode, String output) {
    }

    private static void ok(String... args) throws IOException, InterruptedException {
        IpResult result = ip(args);
        if (result.exitCode() != 0) {
            throw new IOException("ip " + String.join(" ", args) + ": exit " + result.exitCode() + "\n"
                    + result.output());
        }
    }

    private static IpResult quietly(String... args) {
        try {
            return ip(args);
        } catch (IOException | RuntimeException | AssertionError e) {
            return new IpResult(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new IpResult(-1, e.toString());
        }
    }

    private static IpResult ip(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ip"));
        command.addAll(List.of(args));
        Path output = Files.createTempFile("mooseng-ip", ".out");
        Process process = null;
        try {
            try {
                process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                        .start();
            } catch (IOException e) {
                throw new AssertionError("cannot run 'ip' (iproute2): this test needs it, as root", e);
            }
            if (!process.waitFor(IP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IOException(String.join(" ", command) + ": no exit within " + IP_TIMEOUT);
            }
            return new IpResult(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } finally {
            if (process != null) {
                process.destroyForcibly();
            }
            Files.deleteIfExists(output);
        }
    }
}
