package org.mooseng.cli.admin;

import java.io.IOException;
import org.mooseng.cli.fs.ClientCommand;
import org.mooseng.client.ClusterSummary;
import org.mooseng.client.MoosengClient;
import picocli.CommandLine.Command;

/** {@code mooseng admin info}. */
@Command(name = "info", mixinStandardHelpOptions = true, description = "Cluster id, leader, counts of inodes and chunks, space.")
public final class InfoCommand extends ClientCommand {
    @Override
    protected void run(MoosengClient client) throws IOException {
        ClusterSummary s = client.clusterInfo();
        print(s, String.join("\n",
                "cluster id:      " + s.clusterId(),
                "version:         " + s.version(),
                "leader:          " + s.leader(),
                "inodes:          " + s.inodes() + " (" + s.files() + " files, " + s.directories() + " directories)",
                "chunks:          " + s.chunks() + " (" + s.underGoalChunks() + " under goal, " + s.missingChunks()
                        + " missing)",
                "chunk servers:   " + s.chunkServers(),
                "space:           " + s.freeBytes() + " free of " + s.totalBytes() + " bytes",
                "raft:            commit " + s.raftCommitIndex() + ", applied " + s.raftAppliedIndex()));
    }
}
