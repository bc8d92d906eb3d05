package org.mooseng.chunkserver.data;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import org.mooseng.protocol.data.DataClient;
import org.mooseng.protocol.data.DataFrame;

/**
 * The client this server forwards chain writes with. It is created on first use because a
 * freshly formatted server learns its cluster id only when it first registers.
 */
public final class Downstream implements AutoCloseable {
    private final Supplier<String> clusterId;
    private final int connectionsPerServer;
    private DataClient client;
    private boolean closed;

    public Downstream(Supplier<String> clusterId, int connectionsPerServer) {
        this.clusterId = clusterId;
        this.connectionsPerServer = connectionsPerServer;
    }

    CompletableFuture<DataFrame> call(DataFrame.Address server, LongFunction<DataFrame> request, long timeoutMs) {
        DataClient current;
        synchronized (this) {
            String id = clusterId.get();
            if (closed || id == null) {
                return CompletableFuture.failedFuture(new IOException(closed ? "chunk server closing"
                        : "cluster id not known yet"));
            }
            if (client == null) {
                client = new DataClient(id, connectionsPerServer);
            }
            current = client;
        }
        return current.call(server, request, timeoutMs);
    }

    @Override
    public void close() {
        DataClient toClose;
        synchronized (this) {
            closed = true;
            toClose = client;
            client = null;
        }
        if (toClose != null) {
            toClose.close();
        }
    }
}
