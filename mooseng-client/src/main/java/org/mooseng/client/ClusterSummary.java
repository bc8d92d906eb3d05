package org.mooseng.client;

/** What the master reports about the whole cluster. */
public record ClusterSummary(String clusterId, String version, String leader, long inodes, long files,
                             long directories, long chunks, long totalBytes, long freeBytes, int chunkServers,
                             long underGoalChunks, long missingChunks, long raftCommitIndex,
                             long raftAppliedIndex) {
    static ClusterSummary from(org.mooseng.proto.ClusterInfoReply r) {
        return new ClusterSummary(r.getClusterId(), r.getVersion(), r.getLeader(), r.getInodes(), r.getFiles(),
                r.getDirectories(), r.getChunks(), r.getTotalBytes(), r.getFreeBytes(), r.getChunkServers(),
                r.getUnderGoalChunks(), r.getMissingChunks(), r.getRaftCommitIndex(), r.getRaftAppliedIndex());
    }
}
