package org.mooseng.chunkserver.data;

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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.mooseng.chunkserver.store.ChunkStore;
import org.mooseng.protocol.NettyTransport;
import org.mooseng.protocol.data.DataFrame;
import org.mooseng.protocol.data.DataFrameChannelCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The data-plane listener (port 9422): one {@link DataRequestHandler} per connection. */
public final class DataServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DataServer.class);

    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final Channel serverChannel;
    /** Shared by every connection: the updates of one chunk may arrive on several. */
    private final ChunkSequencer sequencer;
    private final DiskReadLatency diskReads;
    private volatile DataFrame.Address self;

    /** Everything a connection's handler needs, shared by all connections. */
    public record Context(ChunkStore store, Supplier<String> clusterId, Downstream downstream,
                          ExecutorService disk, long forwardTimeoutMs) {
    }

    private DataServer(String listenHost, int port, String advertiseHost, int networkThreads, Context context)
            throws IOException {
        sequencer = new ChunkSequencer(context.disk());
        diskReads = new DiskReadLatency();
        bossGroup = new MultiThreadIoEventLoopGroup(1, NettyTransport.ioHandlerFactory());
        workerGroup = new MultiThreadIoEventLoopGroup(networkThreads, NettyTransport.ioHandlerFactory());
        try {
            serverChannel = new ServerBootstrap().group(bossGroup, workerGroup)
                    .channel(NettyTransport.serverChannel())
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            channels.add(ch);
                            DataFrameChannelCodec.install(ch.pipeline());
                            ch.pipeline().addLast("requests",
                                    new DataRequestHandler(context, sequencer, diskReads, DataServer.this::address));
                        }
                    })
                    .bind(listenHost, port).sync().channel();
        } catch (Exception e) {
            shutdownGroups();
            throw new IOException("cannot listen on " + listenHost + ":" + port + ": " + e.getMessage(), e);
        }
        int boundPort = ((InetSocketAddress) serverChannel.localAddress()).getPort();
        self = new DataFrame.Address(advertiseHost, boundPort);
        LOG.info("data plane listening on {}:{} (advertised as {})", listenHost, boundPort, self);
    }

    public static DataServer start(String listenHost, int port, String advertiseHost, int networkThreads,
                                   Context context) throws IOException {
        return new DataServer(listenHost, port, advertiseHost, networkThreads, context);
    }

    public int port() {
        return self.port();
    }

    public DataFrame.Address address() {
        return self;
    }

    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        channels.close().syncUninterruptibly();
        shutdownGroups();
    }

    private void shutdownGroups() {
        bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
