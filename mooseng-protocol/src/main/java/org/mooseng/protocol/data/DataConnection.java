package org.mooseng.protocol.data;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;
import org.mooseng.common.Status;

/**
 * One client connection of {@link DataClient}: sends requests and completes the future
 * registered under each request id when its reply arrives. Any failure of the connection
 * fails every pending request, and the connection is never used again.
 */
final class DataConnection extends SimpleChannelInboundHandler<DataFrame> {
    private final DataFrame.Address server;
    private final Channel channel;
    private final Map<Long, CompletableFuture<DataFrame>> pending = new ConcurrentHashMap<>();
    private final LongSupplier requestIds;
    private volatile IOException failure;

    DataConnection(DataFrame.Address server, Channel channel, LongSupplier requestIds) {
        super(false); // replies are handed over with their buffers, not released here
        this.server = server;
        this.channel = channel;
        this.requestIds = requestIds;
    }

    boolean isOpen() {
        return failure == null && channel.isActive();
    }

    /**
     * Sends HELLO; completes normally on Ok, with an IOException on a refusal or when no
     * answer comes within {@code timeoutMs} (a connection that never greets must not hold its
     * pool slot forever).
     */
    CompletableFuture<Void> handshake(String clusterId, long timeoutMs) {
        CompletableFuture<DataFrame> reply = new CompletableFuture<>();
        ScheduledFuture<?> timer = channel.eventLoop().schedule(() -> reply.completeExceptionally(
                new SocketTimeoutException(server + ": no answer to HELLO within " + timeoutMs + " ms")),
                timeoutMs, TimeUnit.MILLISECONDS);
        reply.whenComplete((frame, failure) -> timer.cancel(false));
        send(id -> new DataFrame.Hello(id, clusterId), reply);
        return reply.thenApply(frame -> switch (frame) {
            case DataFrame.Ok ok -> null;
            case DataFrame.Error e when e.status() == Status.WRONG_CLUSTER.code() -> throw new CompletionException(
                    new IOException(server + " refused the connection: wrong cluster (" + e.message() + ")"));
            case DataFrame.Error e -> throw new CompletionException(new IOException(server
                    + " refused the connection: " + Status.fromCode(e.status()) + " " + e.message()));
            default -> {
                DataFrameChannelCodec.release(frame);
                throw new CompletionException(new IOException(server
                        + ": unexpected reply to HELLO: " + frame.getClass().getSimpleName()));
            }
        });
    }

    void send(LongFunction<DataFrame> request, CompletableFuture<DataFrame> result) {
        send(request, requestIds.getAsLong(), result);
    }

    private void send(LongFunction<DataFrame> request, long requestId, CompletableFuture<DataFrame> result) {
        pending.put(requestId, result);
        result.whenComplete((reply, error) -> pending.remove(requestId));
        IOException failed = failure;
        if (failed != null) {
            result.completeExceptionally(failed);
            return;
        }
        if (result.isDone()) {
            return; // timed out while connecting: the request is never built, so nothing to release
        }
        DataFrame frame;
        try {
            frame = request.apply(requestId);
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
            return;
        }
        if (frame.requestId() != requestId) {
            DataFrameChannelCodec.release(frame);
            result.completeExceptionally(new IllegalArgumentException("request built with id " + frame.requestId()
                    + " instead of the assigned " + requestId));
            return;
        }
        channel.writeAndFlush(frame).addListener(f -> {
            if (!f.isSuccess()) {
                fail(new IOException("cannot send to " + server + ": " + f.cause().getMessage(), f.cause()));
            }
        });
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DataFrame reply) {
        CompletableFuture<DataFrame> waiting = pending.remove(reply.requestId());
        if (waiting == null || !waiting.complete(reply)) {
            // a reply that arrived after its call timed out
            DataFrameChannelCodec.release(reply);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail(new IOException("connection to " + server + " lost"));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(new IOException("connection to " + server + " failed: " + cause.getMessage(), cause));
    }

    void close() {
        fail(new IOException("connection to " + server + " closed"));
    }

    private void fail(IOException cause) {
        if (failure == null) {
            failure = cause;
        }
        channel.close();
        for (Long id : pending.keySet()) {
            CompletableFuture<DataFrame> waiting = pending.remove(id);
            if (waiting != null) {
                waiting.completeExceptionally(failure);
            }
        }
    }
}
