package org.mooseng.client;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.mooseng.common.Status;
import org.mooseng.proto.ChunkServerAddress;
import org.mooseng.protocol.data.DataFrame;
import org.mooseng.protocol.data.DataFrameChannelCodec;

/**
 * A one-replica chunk server on a real socket speaking the data-plane protocol, so the
 * client's production transport (DataClient) is exercised end to end. Chains are not
 * forwarded: tests give it a goal of 1.
 */
final class NettyChunkServer implements AutoCloseable {
    final Map<Long, FakeChunkServers.StoredChunk> chunks = new ConcurrentHashMap<>();
    final AtomicInteger writeFrames = new AtomicInteger();
    private final String clusterId;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel channel;

    NettyChunkServer(String clusterId) throws InterruptedException {
        this.clusterId = clusterId;
        channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        DataFrameChannelCodec.install(ch.pipeline());
                        ch.pipeline().addLast(new SimpleChannelInboundHandler<DataFrame>(false) {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, DataFrame frame) {
                                try {
                                    ctx.writeAndFlush(answer(frame));
                                } finally {
                                    DataFrameChannelCodec.release(frame);
                                }
                            }
                        });
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    ChunkServerAddress address() {
        return ChunkServerAddress.newBuilder().setServerId("netty-cs").setHost("127.0.0.1")
                .setPort(((InetSocketAddress) channel.localAddress()).getPort()).build();
    }

    private DataFrame answer(DataFrame frame) {
        return switch (frame) {
            case DataFrame.Hello h -> h.clusterId().equals(clusterId) ? new DataFrame.Ok(h.requestId())
                    : new DataFrame.Error(h.requestId(), Status.WRONG_CLUSTER.code(), "wrong cluster", "");
            case DataFrame.Write w -> {
                writeFrames.incrementAndGet();
                byte[] bytes = new byte[w.data().readableBytes()];
                w.data().getBytes(w.data().readerIndex(), bytes);
                if (DataFrames.crc32c(w.data()) != w.crc32c()) {
                    yield new DataFrame.Error(w.requestId(), Status.CHECKSUM_MISMATCH.code(), "crc", "");
                }
                FakeChunkServers.StoredChunk chunk = chunks.computeIfAbsent(w.chunkId(),
                        id -> new FakeChunkServers.StoredChunk());
                chunk.write(w.offset(), bytes);
                chunk.version = w.version();
                yield new DataFrame.Ok(w.requestId());
            }
            case DataFrame.Read r -> {
                FakeChunkServers.StoredChunk chunk = chunks.get(r.chunkId());
                if (chunk == null || Integer.compareUnsigned(chunk.version, r.oldestVersion()) < 0
                        || Integer.compareUnsigned(chunk.version, r.version()) > 0) {
                    yield new DataFrame.Error(r.requestId(), Status.ESTALE.code(), "no such chunk version", "");
                }
                var data = io.netty.buffer.Unpooled.wrappedBuffer(chunk.read(r.offset(), r.length()));
                yield new DataFrame.Data(r.requestId(), DataFrames.crc32c(data), data);
            }
            case DataFrame.Truncate t -> {
                FakeChunkServers.StoredChunk chunk = chunks.get(t.chunkId());
                chunk.truncate(t.length());
                chunk.version = t.version();
                yield new DataFrame.Ok(t.requestId());
            }
            case DataFrame.Sync y -> {
                FakeChunkServers.StoredChunk chunk = chunks.get(y.chunkId());
                if (chunk == null) {
                    yield new DataFrame.Error(y.requestId(), Status.ENOENT.code(), "no such chunk", "");
                }
                chunk.unsynced = false;
                yield new DataFrame.Ok(y.requestId());
            }
            case DataFrame.Ok _, DataFrame.Data _, DataFrame.Error _ ->
                    new DataFrame.Error(frame.requestId(), Status.EINVAL.code(), "not a request", "");
        };
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
