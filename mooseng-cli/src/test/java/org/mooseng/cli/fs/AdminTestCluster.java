package org.mooseng.cli.fs;

/** The fake master and a loopback chunk server, for the admin command tests in another package. */
public final class AdminTestCluster implements AutoCloseable {
    private final FakeMaster master;
    private final LoopbackChunkServer chunkServer;

    public AdminTestCluster() throws Exception {
        master = new FakeMaster();
        chunkServer = new LoopbackChunkServer();
        master.servers.clear();
        master.servers.add(chunkServer.address());
    }

    public String master() {
        return "127.0.0.1:" + master.port();
    }

    @Override
    public void close() {
        chunkServer.close();
        master.close();
    }
}
