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
 * DIR/mooseng-cluster.conf          MASTER = host:port, CLUSTER_ID = id (read by fs/admin)
 * DIR/etc/master.cfg, chunkserver-N.cfg
 * DIR/data/master, data/chunkserver-N
 * DIR/run/master-1.pid, chunkserver-N.pid
 * DIR/log/master-1.log, chunkserver-N.log
 * </pre>
 */
public record LocalLayout(Path dir) {
    /** The directory of the local cluster when no --dir is given, relative to the working directory. */
    public static final String DEFAULT_DIR = "var/local";
    private static final Pattern CHUNKSERVER_CONFIG = Pattern.compile("chunkserver-(\\d+)\\.cfg");

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
        return etcDir().resolve(switch (instance.role()) {
            case MASTER -> "master.cfg";
            case CHUNKSERVER -> instance.name() + ".cfg";
        });
    }

    public Path dataDir(Instance instance) {
        return dir.resolve("data").resolve(switch (instance.role()) {
            case MASTER -> "master";
            case CHUNKSERVER -> instance.name();
        });
    }

    public Path pidFile(Instance instance) {
        return dir.resolve("run").resolve(instance.name() + ".pid");
    }

    public Path logFile(Instance instance) {
        return dir.resolve("log").resolve(instance.name() + ".log");
    }

    /** The instances whose configuration files exist, master first, chunk servers by index. */
    public List<Instance> configuredInstances() throws IOException {
        List<Instance> instances = new ArrayList<>();
        Instance master = new Instance(Role.MASTER, 1);
        if (Files.exists(config(master))) {
            instances.add(master);
        }
        if (Files.isDirectory(etcDir())) {
            try (Stream<Path> files = Files.list(etcDir())) {
                files.map(p -> CHUNKSERVER_CONFIG.matcher(p.getFileName().toString()))
                        .filter(Matcher::matches)
                        .map(m -> Integer.parseInt(m.group(1)))
                        .sorted()
                        .forEach(k -> instances.add(new Instance(Role.CHUNKSERVER, k)));
            }
        }
        return instances;
    }
}
