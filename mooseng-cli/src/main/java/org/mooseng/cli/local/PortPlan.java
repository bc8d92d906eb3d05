package org.mooseng.cli.local;

/**
 * Ports of a local cluster, all derived from one base port P so that two clusters with
 * base ports 40 apart never collide (with up to 3 chunk servers):
 * master Raft P, master chunk-server port P+1, master client port P+2;
 * chunk server k (1, 2, …) data port P+10k. With the default P = 9419 the master keeps
 * the MooseFS numbers 9419/9420/9421.
 */
public record PortPlan(int basePort) {
    public static final int DEFAULT_BASE_PORT = 9419;
    private static final int CHUNKSERVER_STRIDE = 10;

    public PortPlan {
        if (basePort < 1024 || basePort > 65535) {
            throw new IllegalArgumentException("base port " + basePort + " is outside 1024..65535");
        }
    }

    public int masterRaft() {
        return basePort;
    }

    public int masterChunkServer() {
        return basePort + 1;
    }

    public int masterClient() {
        return basePort + 2;
    }

    public int chunkServerData(int index) {
        int port = basePort + CHUNKSERVER_STRIDE * index;
        if (port > 65535) {
            throw new IllegalArgumentException("chunk server " + index + " would need port " + port
                    + "; use a lower --base-port");
        }
        return port;
    }

    /** Every port of the plan's fixed numbers for a cluster of {@code chunkServers} chunk servers. */
    public java.util.List<Integer> ports(int chunkServers) {
        java.util.List<Integer> ports = new java.util.ArrayList<>(java.util.List.of(masterRaft(), masterChunkServer(),
                masterClient()));
        for (int k = 1; k <= chunkServers; k++) {
            ports.add(chunkServerData(k));
        }
        return ports;
    }
}
