package org.mooseng.protocol.data;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongFunction;
import org.mooseng.protocol.NettyTransport;

/**
 * Pooled, pipelined client of the data plane. Each server gets a few connections
 * ({@code connectionsPerServer}); requests are spread over them round-robin and many may be
 * in flight on one connection, matched to their replies by request id.
 *
 * <p>A request frame is built (by the caller's function, with the id assigned here) only once a
 * connection is ready, so a call that fails to connect never allocates its payload. Once built,
 * the frame's {@code ByteBuf} (of a Write) belongs to this client, which releases it when it
 * has been sent or cannot be.
 *
 * <p>A connection that fails (connect error, lost, malformed reply) is dropped and every call
 * pending on it fails with an {@link IOException}; the next call to that server connects again.
 */
public final class DataClient implements AutoCloseable {
    private static final int CONNECT_TIMEOUT_MS = 5_000;
    private static final long HANDSHAKE_TIMEOUT_MS = 10_000;

    private final String clusterId;
    private final int connectionsPerServer;
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final AtomicLong nextRequestId = new AtomicLong(1);
    private final Map<DataFrame.Address, ServerPool> pools = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    /** clusterId is sent in the HELLO of every new connection. */
    public DataClient(String clusterId, int connectionsPerServer) {
        if (connectionsPerServer < 1) {
            throw new IllegalArgumentException("connectionsPerServer must be at least 1: " + connectionsPerServer);
        }
        this.clusterId = Objects.requireNonNull(clusterId, "clusterId");
        this.connectionsPerServer = connectionsPerServer;
        this.group = new MultiThreadIoEventLoopGroup(Math.min(2, Runtime.getRuntime().availableProcessors()),
                NettyTransport.ioHandlerFactory());
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(NettyTransport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MS)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        DataFrameChannelCodec.install(ch.pipeline());
                    }
                });
    }

    /**
     * Sends one request (built with the assigned request id) to the server and completes
     * with its reply frame (Ok, Data or Error). Completes exceptionally with an IOException
     * when the connection cannot be made or is lost, or after timeoutMs. The caller releases
     * the ByteBuf of a Data reply. Thread-safe.
     */
    public CompletableFuture<DataFrame> call(DataFrame.Address server, LongFunction<DataFrame> request,
                                             long timeoutMs) {
        CompletableFuture<DataFrame> result = new CompletableFuture<>();
        if (closed.get()) {
            result.completeExceptionally(new IOException("data client closed"));
            return result;
        }
        ScheduledFuture<?> timer = group.schedule(() -> result.completeExceptionally(
                new SocketTimeoutException(server + ": no reply within " + timeoutMs + " ms")),
                timeoutMs, TimeUnit.MILLISECONDS);
        result.whenComplete((reply, failure) -> timer.cancel(false));
        pools.computeIfAbsent(server, ServerPool::new).next().whenComplete((connection, failure) -> {
            if (failure != null) {
                result.completeExceptionally(asIoException(server, failure));
            } else if (!result.isDone()) {
                connection.send(request, result);
            }
        });
        return result;
    }

    /** Closes every connection and stops the I/O threads; pending calls fail. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (ServerPool pool : pools.values()) {
            pool.closeAll();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static IOException asIoException(DataFrame.Address server, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof IOException io) {
            return io;
        }
        return new IOException(server + ": " + cause, cause);
    }

    /** The connections to one server; a slot whose connection failed is refilled on use. */
    private final class ServerPool {
        private final DataFrame.Address server;
        private final AtomicReferenceArray<CompletableFuture<DataConnection>> slots;
        private final AtomicLong roundRobin = new AtomicLong();

        ServerPool(DataFrame.Address server) {
            this.server = server;
            this.slots = new AtomicReferenceArray<>(connectionsPerServer);
        }

        CompletableFuture<DataConnection> next() {
            int slot = (int) Math.floorMod(roundRobin.getAndIncrement(), (long) connectionsPerServer);
            while (true) {
                CompletableFuture<DataConnection> current = slots.get(slot);
                if (current != null && isUsable(current)) {
                    return current;
                }
                CompletableFuture<DataConnection> fresh = new CompletableFuture<>();
                if (slots.compareAndSet(slot, current, fresh)) {
                    if (current != null && current.isDone() && !current.isCompletedExceptionally()) {
                        current.join().close();
                    }
                    connect(fresh);
                    return fresh;
                }
            }
        }

        private boolean isUsable(CompletableFuture<DataConnection> connection) {
            if (!connection.isDone()) {
                return true;
            }
            return !connection.isCompletedExceptionally() && connection.join().isOpen();
        }

        private void connect(CompletableFuture<DataConnection> target) {
            if (closed.get()) {
                target.completeExceptionally(new IOException("data client closed"));
                return;
            }
            ChannelFuture connecting = bootstrap.connect(server.host(), server.port());
            connecting.addListener(f -> {
                if (!f.isSuccess()) {
                    target.completeExceptionally(new IOException("cannot connect to " + server + ": "
                            + f.cause().getMessage(), f.cause()));
                    return;
                }
                DataConnection connection = new DataConnection(server, connecting.channel(), nextRequestId::getAndIncrement);
                connecting.channel().pipeline().addLast("replies", connection);
                connection.handshake(clusterId, HANDSHAKE_TIMEOUT_MS).whenComplete((ok, failure) -> {
                    if (failure != null) {
                        connection.close();
                        target.completeExceptionally(asIoException(server, failure));
                    } else {
                        target.complete(connection);
                    }
                });
            });
        }

        void closeAll() {
            for (int i = 0; i < slots.length(); i++) {
                CompletableFuture<DataConnection> c = slots.get(i);
                if (c != null) {
                    c.thenAccept(DataConnection::close);
                }
            }
        }
    }
}
