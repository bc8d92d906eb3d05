package org.mooseng.cli.fs;

import java.io.IOException;
import java.nio.file.Path;
import org.mooseng.cli.local.ClusterFile;
import org.mooseng.client.ClientOptions;
import org.mooseng.client.MoosengClient;
import picocli.CommandLine.Option;

/**
 * Which cluster a command talks to: the masters given with {@code -H}, or else the local
 * cluster whose {@code mooseng-cluster.conf} lies in {@code --dir} (written by {@code mooseng up}),
 * in which case the cluster id is checked as well. Any one master of a group is enough to
 * start with; listing them all lets a command go on while some are down.
 */
public final class TargetOptions {
    @Option(names = {"-H", "--master"}, paramLabel = "MASTER[:PORT][,...]",
            description = "Masters to talk to, comma-separated (client port, default 9421).")
    String master;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Local cluster directory holding " + ClusterFile.FILE_NAME + " (default: ./var/local).")
    Path dir;

    /** The client options for the chosen cluster. */
    public ClientOptions clientOptions() throws IOException {
        if (master != null && !master.isBlank()) {
            return ClientOptions.master(master).build();
        }
        ClusterFile cluster = ClusterFile.ofLocalCluster(dir);
        return ClientOptions.builder().masters(cluster.masters()).expectedClusterId(cluster.clusterId()).build();
    }

    public MoosengClient connect() throws IOException {
        return MoosengClient.connect(clientOptions());
    }
}
