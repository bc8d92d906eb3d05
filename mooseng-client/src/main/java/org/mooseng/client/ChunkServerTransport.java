package org.mooseng.client;

import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;
import org.mooseng.protocol.data.DataFrame;

/**
 * The data plane as the client uses it: one request frame to one chunk server, one reply.
 * The production implementation is the protocol module's DataClient; tests substitute
 * scripted chunk servers to inject failures.
 */
public interface ChunkServerTransport extends AutoCloseable {
    /**
     * Sends the frame built for a fresh request id. The reply is Ok, Data or Error; the
     * future fails with an IOException when the connection is lost or the timeout passes.
     * The caller releases the buffer of a Data reply. The transport takes over one
     * reference of a Write frame's data.
     */
    CompletableFuture<DataFrame> call(DataFrame.Address server, LongFunction<DataFrame> request, long timeoutMs);

    /**
     * A Read, as {@link #call}; a transport may do it on the calling thread, the returned
     * future then complete already.
     */
    default CompletableFuture<DataFrame> read(DataFrame.Address server, LongFunction<DataFrame> request,
                                              long timeoutMs) {
        return call(server, request, timeoutMs);
    }

    @Override
    void close();
}
