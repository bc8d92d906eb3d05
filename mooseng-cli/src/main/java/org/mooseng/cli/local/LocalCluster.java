package org.mooseng.cli.local;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.mooseng.chunkserver.ChunkServerConfig;
import org.mooseng.cli.CliException;
import org.mooseng.cli.Role;
import org.mooseng.cli.role.MasterCommand;
import org.mooseng.client.MasterAddress;
import org.mooseng.common.config.Config;
import org.mooseng.master.MasterConfig;
import org.mooseng.metalogger.MetaloggerConfig;

/** The daemons of one local cluster directory: create, start, stop, inspect. */
public final class LocalCluster {
    private final LocalLayout layout;

    public LocalCluster(LocalLayout layout) {
        this.layout = layout;
    }

    public LocalLayout layout() {
        return layout;
    }

    public boolean exists() {
        return Files.exists(layout.clusterFile());
    }

    public ClusterFile clusterFile() throws IOException {
        return ClusterFile.read(layout.clusterFile());
    }

    /**
     * Writes the configuration of a new cluster of {@code masters} masters, formats every
     * master's data directory with one new cluster id, and writes the cluster file.
     */
    public ClusterFile create(PortPlan ports, int masters, int chunkServers) throws IOException {
        if (masters < 1 || masters > PortPlan.MAX_MASTERS) {
            throw new CliException("a cluster has 1 to " + PortPlan.MAX_MASTERS + " masters, not " + masters);
        }
        for (int m = 1; m <= masters; m++) {
            Path masterData = layout.dataDir(new Instance(Role.MASTER, m));
            if (Files.isDirectory(masterData) && !isEmpty(masterData)) {
                throw new CliException(layout.dir() + " holds master data but no " + ClusterFile.FILE_NAME
                        + "; remove the directory to start a new cluster there");
            }
        }
        // Checked before anything is written, so a clash leaves no half-made cluster behind.
        requireFree(ports.ports(masters, chunkServers));
        String clusterId = null;
        List<MasterAddress> clientAddresses = new ArrayList<>();
        for (int m = 1; m <= masters; m++) {
            Instance master = new Instance(Role.MASTER, m);
            LocalConfigs.write(Role.MASTER, layout.config(master), LocalConfigs.master(layout, ports, m, masters));
            Config masterConfig = Role.MASTER.load(layout.config(master));
            Files.createDirectories(layout.dataDir(master));
            // The first format picks the id; every other member gets the same one.
            clusterId = MasterCommand.format(masterConfig, clusterId);
            clientAddresses.add(new MasterAddress(LocalConfigs.LOOPBACK, ports.masterClient(m)));
        }
        addChunkServers(ports, 1, chunkServers, masters);
        ClusterFile clusterFile = new ClusterFile(clientAddresses, clusterId);
        clusterFile.write(layout.clusterFile());
        return clusterFile;
    }

    /** Refuses ports another process listens on (checked before a cluster's files are written). */
    public static void requireFree(List<Integer> ports) {
        for (int port : ports) {
            if (!isFree(port)) {
                throw new CliException("port " + port + " is in use by another process; pick another --base-port");
            }
        }
    }

    /** Writes configurations for chunk servers {@code from..to} that have none yet, reporting to {@code masters}. */
    public void addChunkServers(PortPlan ports, int from, int to, int masters) throws IOException {
        for (int k = from; k <= to; k++) {
            Instance chunkServer = new Instance(Role.CHUNKSERVER, k);
            if (!Files.exists(layout.config(chunkServer))) {
                Files.createDirectories(layout.dataDir(chunkServer));
                LocalConfigs.write(Role.CHUNKSERVER, layout.config(chunkServer),
                        LocalConfigs.chunkServer(layout, ports, k, masters));
            }
        }
    }

    /**
     * Writes configurations for metaloggers {@code from..to} that have none yet, learners of
     * the group of {@code masters} masters.
     */
    public void addMetaloggers(PortPlan ports, int from, int to, int masters) throws IOException {
        for (int k = from; k <= to; k++) {
            Instance metalogger = new Instance(Role.METALOGGER, k);
            if (!Files.exists(layout.config(metalogger))) {
                Files.createDirectories(layout.dataDir(metalogger));
                LocalConfigs.write(Role.METALOGGER, layout.config(metalogger),
                        LocalConfigs.metalogger(layout, ports, k, masters));
            }
        }
    }

    /** Where a metalogger's status endpoint answers (what 'admin metaloggers --at' takes). */
    public String metaloggerStatusAddress(Instance metalogger) throws IOException {
        if (metalogger.role() != Role.METALOGGER) {
            throw new IllegalArgumentException(metalogger.name() + " is not a metalogger");
        }
        Config config = Role.METALOGGER.load(layout.config(metalogger));
        String host = config.get(MetaloggerConfig.ADVERTISE_HOST).isEmpty() ? config.get(MetaloggerConfig.LISTEN_HOST)
                : config.get(MetaloggerConfig.ADVERTISE_HOST);
        return host + ":" + config.get(MetaloggerConfig.STATUS_PORT);
    }

    /** The port plan of an existing cluster: its first master's Raft port is the base port. */
    public PortPlan portPlan() throws IOException {
        Instance first = new Instance(Role.MASTER, 1);
        return new PortPlan(Math.toIntExact(Role.MASTER.load(layout.config(first)).get(MasterConfig.RAFT_PORT)));
    }

    public PidFile pidFile(Instance instance) {
        return new PidFile(layout.pidFile(instance), layout.config(instance));
    }

    /** The port an operator connects to: the master's client port, a chunk server's data port. */
    public long mainPort(Instance instance) throws IOException {
        Config config = instance.role().load(layout.config(instance));
        return switch (instance.role()) {
            case MASTER -> config.get(MasterConfig.CLIENT_PORT);
            case CHUNKSERVER -> config.get(ChunkServerConfig.DATA_PORT);
            case METALOGGER -> config.get(MetaloggerConfig.STATUS_PORT);
        };
    }

    /** A master's client address, as its configuration advertises it. */
    public MasterAddress clientAddress(Instance master) throws IOException {
        if (master.role() != Role.MASTER) {
            throw new IllegalArgumentException(master.name() + " is not a master");
        }
        Config config = Role.MASTER.load(layout.config(master));
        String host = config.get(MasterConfig.ADVERTISE_HOST).isEmpty() ? config.get(MasterConfig.LISTEN_HOST)
                : config.get(MasterConfig.ADVERTISE_HOST);
        return new MasterAddress(host, Math.toIntExact(config.get(MasterConfig.CLIENT_PORT)));
    }

    /** Every port a daemon listens on, for the summary and for the free-port check. */
    public List<NamedPort> ports(Instance instance) throws IOException {
        Config config = instance.role().load(layout.config(instance));
        return switch (instance.role()) {
            case MASTER -> List.of(
                    new NamedPort("raft", config.get(MasterConfig.RAFT_PORT)),
                    new NamedPort("chunk servers", config.get(MasterConfig.CHUNKSERVER_PORT)),
                    new NamedPort("clients", config.get(MasterConfig.CLIENT_PORT)));
            case CHUNKSERVER -> List.of(new NamedPort("data", config.get(ChunkServerConfig.DATA_PORT)));
            case METALOGGER -> List.of(
                    new NamedPort("raft", config.get(MetaloggerConfig.RAFT_PORT)),
                    new NamedPort("status", config.get(MetaloggerConfig.STATUS_PORT)));
        };
    }

    public record NamedPort(String purpose, long port) {
        @Override
        public String toString() {
            return purpose + " " + port;
        }
    }

    /** What starting one daemon amounted to. */
    public sealed interface StartResult permits AlreadyRunning, Started {
        Instance instance();
    }

    public record AlreadyRunning(Instance instance, long pid) implements StartResult {
    }

    /** A daemon this run started; {@code startedAtMillis} is the wall-clock time just before its start. */
    public record Started(Instance instance, Process process, long startedAtMillis) implements StartResult {
    }

    /** Starts the daemon unless its PID file points to a live process of it. */
    public StartResult start(Instance instance) throws IOException {
        PidFile pidFile = pidFile(instance);
        Optional<ProcessHandle> running = pidFile.liveProcess();
        if (running.isPresent()) {
            return new AlreadyRunning(instance, running.get().pid());
        }
        for (NamedPort port : ports(instance)) {
            if (port.port() != 0 && !isFree((int) port.port())) {
                throw new CliException(instance.name() + ": port " + port.port() + " (" + port.purpose()
                        + ") is in use by another process; stop it or pick another --base-port");
            }
        }
        Path log = layout.logFile(instance);
        Files.createDirectories(log.getParent());
        Files.writeString(log, "---- mooseng up: starting " + instance.name() + " at " + Instant.now() + "\n",
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        ProcessBuilder builder = new ProcessBuilder(RoleJvm.command(instance, layout.config(instance)))
                .directory(layout.dir().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        long startedAtMillis = System.currentTimeMillis();
        Process process = builder.start();
        pidFile.write(process.pid());
        return new Started(instance, process, startedAtMillis);
    }

    /** What stopping one daemon amounted to. */
    public enum StopOutcome { NOT_RUNNING, STOPPED, KILLED }

    public record Stopped(Instance instance, long pid, StopOutcome outcome) {
    }

    /**
     * Sends SIGTERM to every live daemon among {@code instances}, waits up to {@code grace}
     * for all of them together, then SIGKILLs the rest. PID files are removed.
     */
    public List<Stopped> stop(List<Instance> instances, Duration grace) throws IOException {
        List<Instance> targets = new ArrayList<>();
        List<ProcessHandle> handles = new ArrayList<>();
        List<Stopped> result = new ArrayList<>();
        for (Instance instance : instances) {
            Optional<ProcessHandle> live = pidFile(instance).liveProcess();
            if (live.isPresent()) {
                live.get().destroy();
                targets.add(instance);
                handles.add(live.get());
            } else {
                result.add(new Stopped(instance, -1, StopOutcome.NOT_RUNNING));
                pidFile(instance).delete();
            }
        }
        long deadlineNanos = System.nanoTime() + grace.toNanos();
        for (int i = 0; i < targets.size(); i++) {
            ProcessHandle handle = handles.get(i);
            StopOutcome outcome = StopOutcome.STOPPED;
            if (!awaitExit(handle, Math.max(0, deadlineNanos - System.nanoTime()))) {
                handle.destroyForcibly();
                outcome = StopOutcome.KILLED;
                if (!awaitExit(handle, TimeUnit.SECONDS.toNanos(5))) {
                    throw new CliException(targets.get(i).name() + " (pid " + handle.pid() + ") survived SIGKILL");
                }
            }
            pidFile(targets.get(i)).delete();
            result.add(new Stopped(targets.get(i), handle.pid(), outcome));
        }
        return result;
    }

    private static boolean awaitExit(ProcessHandle handle, long timeoutNanos) {
        try {
            handle.onExit().get(timeoutNanos, TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return !handle.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !handle.isAlive();
        } catch (ExecutionException e) {
            return !handle.isAlive();
        }
    }

    /** The last {@code lines} lines of a daemon's log, for failure reports. */
    public void printLogTail(Instance instance, int lines, PrintWriter out) throws IOException {
        Path log = layout.logFile(instance);
        if (!Files.exists(log)) {
            out.println("---- " + log + ": no log");
            return;
        }
        List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
        out.println("---- last " + Math.min(lines, all.size()) + " lines of " + log);
        all.subList(Math.max(0, all.size() - lines), all.size()).forEach(out::println);
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }
}
