package org.mooseng.client;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;
import org.mooseng.protocol.data.BlockingDataReads;
import org.mooseng.protocol.data.DataClient;
import org.mooseng.protocol.data.DataFrame;

/**
 * The production data plane: writes through the pooled, pipelined {@link DataClient}, reads on
 * the calling thread ({@link BlockingDataReads}).
 */
final class DataClientTransport implements ChunkServerTransport {
    private final DataClient dataClient;
    private final BlockingDataReads reads;

    DataClientTransport(String clusterId, int connectionsPerServer) {
        this.dataClient = new DataClient(clusterId, connectionsPerServer);
        this.reads = new BlockingDataReads(clusterId);
    }

    /** On the calling thread: a read waits for its reply anyway, and no other thread need wake for it. */
    @Override
    public CompletableFuture<DataFrame> read(DataFrame.Address server, LongFunction<DataFrame> request,
                                             long timeoutMs) {
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
