package org.mooseng.chunkserver.data;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mooseng.protocol.data.DataFrame;
import org.mooseng.protocol.data.DataFrameChannelCodec;

/** Downstream against a scripted next server that holds back its answer to HELLO until told. */
class DownstreamTest {
    private static final long TIMEOUT_MS = 10_000;
    private static final int CALLS = 100;

    private final CountDownLatch greet = new CountDownLatch(1);
    /** "connection:chunk:length" of every Truncate, in arrival order. */
    private final List<String> arrived = new CopyOnWriteArrayList<>();
    private EventLoopGroup group;
    private Channel listener;
    private DataFrame.Address server;
    private Downstream downstream;

    @BeforeEach
    void start() throws Exception {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        DataFrameChannelCodec.install(ch.pipeline());
                        ch.pipeline().addLast(new ScriptedNextServer());
                    }
                }).bind("127.0.0.1", 0).sync().channel();
        server = new DataFrame.Address("127.0.0.1", ((InetSocketAddress) listener.localAddress()).getPort());
        downstream = new Downstream(() -> "test-cluster", 2);
    }

    @AfterEach
    void stop() {
        downstream.close();
        listener.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Answers HELLO once {@link #greet} opens (off the event loop), then Ok to every Truncate. */
    private final class ScriptedNextServer extends SimpleChannelInboundHandler<DataFrame> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DataFrame frame) {
            switch (frame) {
                case DataFrame.Hello hello -> Thread.ofVirtual().start(() -> {
                    try {
                        greet.await();
                        ctx.writeAndFlush(new DataFrame.Ok(hello.requestId()));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                case DataFrame.Truncate truncate -> {
                    arrived.add(ctx.channel().id().asShortText() + ":" + truncate.chunkId() + ":" + truncate.length());
                    ctx.writeAndFlush(new DataFrame.Ok(truncate.requestId()));
                }
                default -> {
                    DataFrameChannelCodec.release(frame);
                    ctx.close();
                }
            }
        }
    }

    private CompletableFuture<DataFrame> truncate(long chunkId, int length) {
        return downstream.call(chunkId, server, id -> new DataFrame.Truncate(id, chunkId, 1, 0, length, List.of()),
                TIMEOUT_MS);
    }

    private List<Integer> lengthsOf(long chunkId) {
        return arrived.stream().map(a -> a.split(":")).filter(a -> Long.parseLong(a[1]) == chunkId)
                .map(a -> Integer.parseInt(a[2])).toList();
    }

    private List<String> connectionsOf(long chunkId) {
        return arrived.stream().map(a -> a.split(":")).filter(a -> Long.parseLong(a[1]) == chunkId)
                .map(a -> a[0]).distinct().toList();
    }

    @Test
    void framesOfOneChunkArriveInCallOrderOnOneConnectionEvenWhileItIsBeingMade() throws Exception {
        List<CompletableFuture<DataFrame>> calls = new ArrayList<>();
        for (int i = 0; i < CALLS; i++) {
            // chunks 7 and 9 share a lane (7 mod 2 = 9 mod 2), chunk 8 has the other one
            calls.add(truncate(7, i));
            calls.add(truncate(8, i));
            calls.add(truncate(9, i));
        }
        greet.countDown();
        for (CompletableFuture<DataFrame> call : calls) {
            assertThat(call.get(TIMEOUT_MS, TimeUnit.MILLISECONDS)).isInstanceOf(DataFrame.Ok.class);
        }
        // a few more once the connection is up: they go out from within call
        for (int i = CALLS; i < 2 * CALLS; i++) {
            calls.add(truncate(7, i));
        }
        for (CompletableFuture<DataFrame> call : calls) {
            assertThat(call.get(TIMEOUT_MS, TimeUnit.MILLISECONDS)).isInstanceOf(DataFrame.Ok.class);
        }

        assertThat(lengthsOf(7)).isEqualTo(IntStream.range(0, 2 * CALLS).boxed().toList());
        assertThat(lengthsOf(8)).isEqualTo(IntStream.range(0, CALLS).boxed().toList());
        assertThat(lengthsOf(9)).isEqualTo(IntStream.range(0, CALLS).boxed().toList());
        assertThat(connectionsOf(7)).hasSize(1).isEqualTo(connectionsOf(9));
        assertThat(connectionsOf(8)).hasSize(1).isNotEqualTo(connectionsOf(7));
    }

    @Test
    void framesHeldBehindAFailedConnectionFailWithIt() throws Exception {
        listener.close().sync();
        List<CompletableFuture<DataFrame>> calls = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            calls.add(truncate(7, i));
        }
        for (CompletableFuture<DataFrame> call : calls) {
            assertThat(call).failsWithin(TIMEOUT_MS, TimeUnit.MILLISECONDS).withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(IOException.class);
        }
        assertThat(arrived).isEmpty();
    }
}
