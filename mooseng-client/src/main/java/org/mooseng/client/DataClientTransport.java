package org.mooseng.client;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;
import org.mooseng.protocol.data.BlockingDataReads;
import org.mooseng.protocol.data.DataClient;
import org.mooseng.protocol.data.DataFrame;

/** The production data plane: writes through the pooled, pipelined {@link DataClient}, reads on the calling thread ({@link BlockingDataReads}). */
final class DataClientTransport implements ChunkServerTransport {
    private final DataClient dataClient;
    private final BlockingDataReads reads;

    DataClientTransport(String clusterId, int connectionsPerServer) {
        this.dataClient = new DataClient(clusterId, connectionsPerServer);
        this.reads = new BlockingDataReads(clusterId);
    }

    /**
     * On the calling thread when that is a platform thread (a FUSE thread waiting for the reply
     * anyway): no other thread need wake for it. A virtual thread (the read-ahead's) goes through
     * DataClient: its blocking socket reads would park and be woken by the JDK's poller for every
     * part of a large reply, a hand-off per part instead of none.
     */
    @Override
    public CompletableFuture<DataFrame> read(DataFrame.Address server, LongFunction<DataFrame> request,
                                             long timeoutMs) {
        if (Thread.currentThread().isVirtual()) {
            return dataClient.call(server, request, timeoutMs);
        }
        try {
            return CompletableFuture.completedFuture(reads.call(server, request, timeoutMs));
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<DataFrame> call(DataFrame.Address server, LongFunction<DataFrame> request,
                                             long timeoutMs) {
        return dataClient.call(server, request, timeoutMs);
    }

    @Override
    public void close() {
        reads.close();
        dataClient.close();
    }
}
