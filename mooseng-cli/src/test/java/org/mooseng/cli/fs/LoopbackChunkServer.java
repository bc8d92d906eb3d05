package org.mooseng.cli.fs;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
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
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.mooseng.common.Status;
import org.mooseng.proto.ChunkServerAddress;
import org.mooseng.protocol.data.DataFrame;
import org.mooseng.protocol.data.DataFrameChannelCodec;

/** A one-replica chunk server on loopback that keeps chunks in memory (small files only). */
final class LoopbackChunkServer implements AutoCloseable {
    private final Map<Long, byte[]> chunks = new ConcurrentHashMap<>();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel channel;

    LoopbackChunkServer() throws InterruptedException {
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
        return ChunkServerAddress.newBuilder().setServerId("loop-cs").setHost("127.0.0.1")
                .setPort(((InetSocketAddress) channel.localAddress()).getPort()).build();
    }

    private static int crc(ByteBuf data) {
        CRC32C crc = new CRC32C();
        for (ByteBuffer b : data.nioBuffers(data.readerIndex(), data.readableBytes())) {
            crc.update(b);
        }
        return (int) crc.getValue();
    }

    private DataFrame answer(DataFrame frame) {
        return switch (frame) {
            case DataFrame.Hello h -> new DataFrame.Ok(h.requestId());
            case DataFrame.Write w -> {
                byte[] chunk = chunks.getOrDefault(w.chunkId(), new byte[0]);
                int end = w.offset() + w.data().readableBytes();
                if (chunk.length < end) {
                    chunk = Arrays.copyOf(chunk, end);
                }
                w.data().getBytes(w.data().readerIndex(), chunk, w.offset(), w.data().readableBytes());
                chunks.put(w.chunkId(), chunk);
                yield new DataFrame.Ok(w.requestId());
            }
            case DataFrame.Read r -> {
                byte[] chunk = chunks.getOrDefault(r.chunkId(), new byte[0]);
                int from = Math.min(r.offset(), chunk.length);
                ByteBuf data = Unpooled.wrappedBuffer(Arrays.copyOfRange(chunk, from,
                        Math.min(chunk.length, r.offset() + r.length())));
                yield new DataFrame.Data(r.requestId(), crc(data), data);
            }
            case DataFrame.Truncate t -> {
                chunks.computeIfPresent(t.chunkId(), (id, c) -> Arrays.copyOf(c, t.length()));
                yield new DataFrame.Ok(t.requestId());
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
