package org.mooseng.client;

import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;
import org.mooseng.protocol.data.DataClient;
import org.mooseng.protocol.data.DataFrame;

/** The production data plane: the protocol module's pooled, pipelined {@link DataClient}. */
final class DataClientTransport implements ChunkServerTransport {
    private final DataClient dataClient;

    DataClientTransport(String clusterId, int connectionsPerServer) {
        this.dataClient = new DataClient(clusterId, connectionsPerServer);
    }

    @Override
    public CompletableFuture<DataFrame> call(DataFrame.Address server, LongFunction<DataFrame> request,
                                             long timeoutMs) {
        return dataClient.call(server, request, timeoutMs);
    }

    @Override
    public void close() {
        dataClient.close();
    }
}
