package org.mooseng.protocol.rpc;

import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.mooseng.protocol.NettyTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves gRPC service definitions (as built by the generated {@code bindService()} or
 * {@code ServerInterceptors.intercept}) over the framed transport of this package: unary
 * methods only. Handlers run on the connection's event loop unless an executor is given, so
 * by default they must not block. Streaming methods of a service are answered UNIMPLEMENTED.
 */
public final class FramedServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FramedServer.class);
    private static final long WARN_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    /**
     * Room for a whole reply in the socket: a listing page (about 100 KiB) does not fit the
     * 16 KiB Linux starts a connection with, and a reply that does not fit waits for the
     * client to read the first part before the rest is sent.
     */
    static final int REPLY_SEND_BUFFER_BYTES = 1 << 20;

    private final Map<String, ServerMethodDefinition<?, ?>> methods;
    private final Executor executor;
    private final EventLoopGroup group;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final Channel listener;
    private final AtomicLong nextWarnAt = new AtomicLong(System.nanoTime());
    private final AtomicLong suppressedWarnings = new AtomicLong();
    private final AtomicLong callsStarted = new AtomicLong();

    private FramedServer(String host, int port, Map<String, ServerMethodDefinition<?, ?>> methods, Executor executor)
            throws IOException {
        this.methods = methods;
        this.executor = executor;
        this.group = new MultiThreadIoEventLoopGroup(Math.min(2, Runtime.getRuntime().availableProcessors()),
                NettyTransport.ioHandlerFactory());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(NettyTransport.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_SNDBUF, REPLY_SEND_BUFFER_BYTES)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        connections.add(channel);
                        // A TLS handler goes first, before the framer (see package-info).
                        RpcFrameCodec.install(channel.pipeline());
                        channel.pipeline().addLast("rpcServer", new FramedServerConnection(FramedServer.this, channel));
                    }
                });
        try {
            this.listener = bootstrap.bind(host, port).sync().channel();
        } catch (Exception e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            throw new IOException("cannot bind " + host + ":" + port + ": " + e.getMessage(), e);
        }
        LOG.debug("framed rpc server on {}", listener.localAddress());
    }

    /** Binds host:port (port 0: any free port) and serves {@code services}, handlers on the event loop. */
    public static FramedServer start(String host, int port, List<ServerServiceDefinition> services) throws IOException {
        return start(host, port, services, null);
    }

    /**
     * Binds host:port and serves {@code services}; handlers run on {@code executor}, or on the
     * connection's event loop when it is null.
     */
    public static FramedServer start(String host, int port, List<ServerServiceDefinition> services, Executor executor)
            throws IOException {
        Map<String, ServerMethodDefinition<?, ?>> methods = new HashMap<>();
        for (ServerServiceDefinition service : services) {
            for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
                if (method.getMethodDescriptor().getType() != MethodDescriptor.MethodType.UNARY) {
                    continue; // answered UNIMPLEMENTED: the transport carries unary calls only
                }
                String name = method.getMethodDescriptor().getFullMethodName();
                if (methods.putIfAbsent(name, method) != null) {
                    throw new IllegalArgumentException("method " + name + " is served twice");
                }
            }
        }
        return new FramedServer(host, port, Map.copyOf(methods), executor);
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    public int port() {
        return address().getPort();
    }

    /** Stops listening, closes every connection (their calls are cancelled) and stops the I/O threads. */
    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        connections.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Calls of a served method started since the server started. */
    public long callsStarted() {
        return callsStarted.get();
    }

    void callStarted() {
        callsStarted.incrementAndGet();
    }

    ServerMethodDefinition<?, ?> method(String fullName) {
        return methods.get(fullName);
    }

    /** The executor handlers run on; null: the connection's event loop. */
    Executor executor() {
        return executor;
    }

    /** A peer that speaks something else, or a broken one: worth a warning, but not one per frame. */
    void warnDropped(SocketAddress peer, Throwable cause) {
        long now = System.nanoTime();
        long next = nextWarnAt.get();
        if (now - next >= 0 && nextWarnAt.compareAndSet(next, now + WARN_INTERVAL_NANOS)) {
            long suppressed = suppressedWarnings.getAndSet(0);
            LOG.warn("rpc connection from {} closed: {}{}", peer, cause.getMessage(),
                    suppressed == 0 ? "" : " (" + suppressed + " more since the last warning)");
        } else {
            suppressedWarnings.incrementAndGet();
            LOG.debug("rpc connection from {} closed: {}", peer, cause.getMessage());
        }
    }
}
