package org.mooseng.client;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.CRC32C;
import org.mooseng.common.Status;
import org.mooseng.proto.ChunkServerAddress;
import org.mooseng.protocol.data.DataFrame;
import org.mooseng.protocol.data.DataFrameChannelCodec;

/** Small helpers shared by the read, write and truncate paths of the data plane. */
final class DataFrames {
    /** Extra time granted beyond a request's own timeout before the client gives up waiting on it. */
    private static final long WAIT_MARGIN_MS = 5_000;

    private DataFrames() {
    }

    static DataFrame.Address address(ChunkServerAddress a) {
        return new DataFrame.Address(a.getHost(), a.getPort());
    }

    static String hostPort(ChunkServerAddress a) {
        return a.getHost() + ":" + a.getPort();
    }

    /** The chain a frame carries when it is sent to chain[0]: everyone after it. */
    static List<DataFrame.Address> downstream(List<ChunkServerAddress> chain) {
        return chain.subList(1, chain.size()).stream().map(DataFrames::address).toList();
    }

    static int crc32c(ByteBuf data) {
        CRC32C crc = new CRC32C();
        for (ByteBuffer b : data.nioBuffers(data.readerIndex(), data.readableBytes())) {
            crc.update(b);
        }
        return (int) crc.getValue();
    }

    /**
     * How one data-plane request ended badly.
     *
     * @param failedServer   host:port the chunk servers blamed, empty when none
     * @param connectionLost the request got no reply (connection error or timeout)
     */
    record Failure(Status status, String detail, String failedServer, boolean connectionLost) {
        static Failure of(Throwable error) {
            Throwable cause = error instanceof CompletionException || error instanceof ExecutionException
                    ? error.getCause() : error;
            return new Failure(cause instanceof TimeoutException ? Status.ETIMEDOUT : Status.EIO,
                    String.valueOf(cause), "", true);
        }

        static Failure of(DataFrame.Error e) {
            return new Failure(Status.fromCode(e.status()), e.message(), e.failedServer(), false);
        }

        static Failure unexpected(DataFrame reply) {
            return new Failure(Status.EIO, "unexpected reply " + reply.getClass().getSimpleName(), "", false);
        }

        String describe(String server) {
            return server + ": " + status.description() + (detail.isEmpty() ? "" : " (" + detail + ")");
        }
    }

    /** Waits for a reply a bit longer than the transport's own timeout, so a stuck transport cannot hang us. */
    static DataFrame await(CompletableFuture<DataFrame> reply, long timeoutMs) throws IOException {
        try {
            return reply.get(timeoutMs + WAIT_MARGIN_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (TimeoutException e) {
            reply.cancel(false);
            throw new IOException("no reply within " + timeoutMs + " ms", e);
        }
    }

    /** Sends without letting a transport that throws instead of failing the future escape. */
    static CompletableFuture<DataFrame> send(ChunkServerTransport transport, DataFrame.Address server,
                                             java.util.function.LongFunction<DataFrame> request, long timeoutMs) {
        return guarded(server, () -> transport.call(server, request, timeoutMs));
    }

    /** A Read through the transport's read path; as {@link #send} otherwise. */
    static CompletableFuture<DataFrame> read(ChunkServerTransport transport, DataFrame.Address server,
                                             java.util.function.LongFunction<DataFrame> request, long timeoutMs) {
        return guarded(server, () -> transport.read(server, request, timeoutMs));
    }

    /** A transport that throws instead of failing the future fails it all the same. */
    private static CompletableFuture<DataFrame> guarded(DataFrame.Address server,
                                                        java.util.function.Supplier<CompletableFuture<DataFrame>> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new IOException(server + ": " + e.getMessage(), e));
        }
    }

    static void release(DataFrame frame) {
        DataFrameChannelCodec.release(frame);
    }
}
