package org.mooseng.cli.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.mooseng.cli.Role;

/**
 * Where a local cluster keeps its files, all under one directory:
 * <pre>
 * DIR/mooseng-cluster.conf          MASTERS = host:port,..., CLUSTER_ID = id (read by fs/admin/mount)
 * DIR/etc/master-M.cfg, chunkserver-N.cfg, metalogger-K.cfg
 * DIR/data/master-M, data/chunkserver-N, data/metalogger-K
 * DIR/run/master-M.pid, chunkserver-N.pid, metalogger-K.pid
 * DIR/log/master-M.log, chunkserver-N.log, metalogger-K.log
 * </pre>
 * A cluster made before master groups has {@code etc/master.cfg} and {@code data/master} for
 * its one master: they are read as master 1's.
 */
public record LocalLayout(Path dir) {
    /** The directory of the local cluster when no --dir is given, relative to the working directory. */
    public static final String DEFAULT_DIR = "var/local";
    private static final Pattern INSTANCE_CONFIG = Pattern.compile("(master|chunkserver|metalogger)-([1-9]\\d*)\\.cfg");
    private static final String SINGLE_MASTER_CONFIG = "master.cfg";

    public LocalLayout {
        dir = dir.toAbsolutePath().normalize();
    }

    public Path clusterFile() {
        return dir.resolve(ClusterFile.FILE_NAME);
    }

    public Path etcDir() {
        return dir.resolve("etc");
    }

    public Path config(Instance instance) {
        return etcDir().resolve(isSingleMasterLayout(instance) ? SINGLE_MASTER_CONFIG : instance.name() + ".cfg");
    }

    public Path dataDir(Instance instance) {
        return dir.resolve("data").resolve(isSingleMasterLayout(instance) ? "master" : instance.name());
    }

    public Path pidFile(Instance instance) {
        return dir.resolve("run").resolve(instance.name() + ".pid");
    }

    public Path logFile(Instance instance) {
        return dir.resolve("log").resolve(instance.name() + ".log");
    }

    /** Master 1 of a cluster made before master groups (etc/master.cfg). */
    private boolean isSingleMasterLayout(Instance instance) {
        return instance.role() == Role.MASTER && instance.index() == 1
                && Files.exists(etcDir().resolve(SINGLE_MASTER_CONFIG));
    }

    /**
     * The instances whose configuration files exist: masters, then chunk servers, then
     * metaloggers (which join a group that has a leader), each by index.
     */
    public List<Instance> configuredInstances() throws IOException {
        List<Instance> masters = new ArrayList<>();
        List<Instance> chunkServers = new ArrayList<>();
        List<Instance> metaloggers = new ArrayList<>();
        if (Files.exists(etcDir().resolve(SINGLE_MASTER_CONFIG))) {
            masters.add(new Instance(Role.MASTER, 1));
        }
        if (Files.isDirectory(etcDir())) {
            try (Stream<Path> files = Files.list(etcDir())) {
                for (Path file : files.toList()) {
                    Matcher m = INSTANCE_CONFIG.matcher(file.getFileName().toString());
                    if (m.matches()) {
                        Role role = Role.byCommand(m.group(1)).orElseThrow();
                        (switch (role) {
                            case MASTER -> masters;
                            case CHUNKSERVER -> chunkServers;
                            case METALOGGER -> metaloggers;
                        }).add(new Instance(role, Integer.parseInt(m.group(2))));
                    }
                }
            }
        }
        List<Instance> instances = new ArrayList<>();
        masters.stream().distinct().sorted(java.util.Comparator.comparingInt(Instance::index)).forEach(instances::add);
        chunkServers.stream().sorted(java.util.Comparator.comparingInt(Instance::index)).forEach(instances::add);
        metaloggers.stream().sorted(java.util.Comparator.comparingInt(Instance::index)).forEach(instances::add);
        return instances;
    }

    /** The configured instances of one role, by index. */
    public List<Instance> configured(Role role) throws IOException {
        return configuredInstances().stream().filter(i -> i.role() == role).toList();
    }

    /** The configured masters, by index. */
    public List<Instance> configuredMasters() throws IOException {
        return configuredInstances().stream().filter(i -> i.role() == Role.MASTER).toList();
    }
}
