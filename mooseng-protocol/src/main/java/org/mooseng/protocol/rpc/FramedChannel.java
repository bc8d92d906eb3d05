package org.mooseng.protocol.rpc;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.mooseng.protocol.NettyTransport;

/**
 * A gRPC {@link Channel} to one {@link FramedServer}: generated stubs (blocking, future and
 * async) work on it unchanged, for unary methods. Every call shares one TCP connection, many
 * in flight at once and matched to their replies by call id. The connection is made on the
 * first call; when it is lost every call pending on it fails with UNAVAILABLE and the next
 * call connects again. Deadlines, cancellation (of the call or of its {@code Context}) and
 * metadata from {@code ClientInterceptors} work as on a gRPC channel.
 *
 * <p>Listeners run on the call's {@link CallOptions#getExecutor() executor} (blocking stubs set
 * one), else on the executor given here, else on the channel's I/O thread, where they must not
 * block (a blocking call made there would wait for the thread it holds).
 */
public final class FramedChannel extends Channel implements AutoCloseable {
    private static final int CONNECT_TIMEOUT_MS = 5_000;

    private final String host;
    private final int port;
    private final String authority;
    private final EventLoopGroup group;
    private final Executor defaultCallbacks;
    private final Bootstrap bootstrap;
    private final AtomicLong nextCallId = new AtomicLong(1);
    private final AtomicReference<CompletableFuture<FramedClientConnection>> connection = new AtomicReference<>();
    private volatile boolean closed;

    /** A channel to host:port whose listeners, unless a call names an executor, run on its I/O thread. */
    public FramedChannel(String host, int port) {
        this(host, port, null);
    }

    /** A channel to host:port whose listeners, unless a call names an executor, run on {@code executor}. */
    public FramedChannel(String host, int port, Executor executor) {
        this.host = Objects.requireNonNull(host, "host");
        this.port = port;
        this.authority = host + ":" + port;
        this.group = new MultiThreadIoEventLoopGroup(1, NettyTransport.ioHandlerFactory());
        this.defaultCallbacks = executor == null ? group.next() : executor;
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(NettyTransport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MS)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        // A TLS handler goes first, before the framer (see package-info).
                        RpcFrameCodec.install(channel.pipeline());
                        channel.pipeline().addLast("rpcClient", new FramedClientConnection(authority, channel));
                    }
                });
    }

    @Override
    public <Q, R> ClientCall<Q, R> newCall(MethodDescriptor<Q, R> method, CallOptions options) {
        Executor callbacks = options.getExecutor() != null ? options.getExecutor() : defaultCallbacks;
        return new FramedClientCall<>(this, method, options, callbacks);
    }

    @Override
    public String authority() {
        return authority;
    }

    /** Fails the calls in flight with UNAVAILABLE and stops the I/O thread; later calls fail at once. */
    @Override
    public void close() {
        closed = true;
        CompletableFuture<FramedClientConnection> current = connection.get();
        if (current != null) {
            current.thenAccept(c -> c.close(Status.UNAVAILABLE.withDescription("channel to " + authority + " closed")));
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** The open connection, or a new one when there is none or it failed. */
    CompletableFuture<FramedClientConnection> connection() {
        while (true) {
            CompletableFuture<FramedClientConnection> current = connection.get();
            if (current != null && isUsable(current)) {
                return current;
            }
            CompletableFuture<FramedClientConnection> fresh = new CompletableFuture<>();
            if (connection.compareAndSet(current, fresh)) {
                connect(fresh);
                return fresh;
            }
        }
    }

    private static boolean isUsable(CompletableFuture<FramedClientConnection> connection) {
        if (!connection.isDone()) {
            return true; // still connecting
        }
        return !connection.isCompletedExceptionally() && connection.join().isOpen();
    }

    private void connect(CompletableFuture<FramedClientConnection> target) {
        if (closed) {
            target.completeExceptionally(new IllegalStateException("channel to " + authority + " closed"));
            return;
        }
        ChannelFuture connecting;
        try {
            connecting = bootstrap.connect(host, port);
        } catch (RuntimeException e) {
            target.completeExceptionally(e); // the event loop is shutting down
            return;
        }
        connecting.addListener(f -> {
            if (f.isSuccess()) {
                // on the event loop: HELLO is written before any request the completion lets through
                FramedClientConnection connected = connecting.channel().pipeline().get(FramedClientConnection.class);
                connected.greet();
                target.complete(connected);
            } else {
                target.completeExceptionally(f.cause());
            }
        });
    }

    long nextCallId() {
        return nextCallId.getAndIncrement();
    }

    ScheduledExecutorService scheduler() {
        return group.next();
    }

    ByteBufAllocator allocator() {
        return ByteBufAllocator.DEFAULT;
    }

    /** The status of a call whose connection could not be made. */
    static Status unavailable(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        return Status.UNAVAILABLE.withDescription(cause.getMessage()).withCause(cause);
    }
}
