package org.mooseng.protocol.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.bootstrap.ServerBootstrap;
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
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mooseng.common.Status;

class DataClientTest {
    private static final long TIMEOUT_MS = 5_000;

    private EventLoopGroup serverGroup;
    private Channel serverChannel;
    private final Set<Channel> accepted = ConcurrentHashMap.newKeySet();
    private final AtomicInteger hellos = new AtomicInteger();
    /** Reads held back so they can be answered in reverse order. */
    private final List<DataFrame.Read> heldReads = new ArrayList<>();
    private volatile int holdUntil = 1;

    @BeforeEach
    void startServer() throws InterruptedException {
        serverGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        serverChannel = new ServerBootstrap().group(serverGroup).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        accepted.add(ch);
                        DataFrameChannelCodec.install(ch.pipeline());
                        ch.pipeline().addLast(new ScriptedServer());
                    }
                }).bind("127.0.0.1", 0).sync().channel();
    }

    @AfterEach
    void stopServer() {
        serverChannel.close().syncUninterruptibly();
        serverGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private DataFrame.Address address() {
        return new DataFrame.Address("127.0.0.1", ((InetSocketAddress) serverChannel.localAddress()).getPort());
    }

    @Test
    void pipelinedCallsOnOneConnectionGetTheirOwnReplies() throws Exception {
        holdUntil = 8;
        try (DataClient client = new DataClient("good", 1)) {
            List<CompletableFuture<DataFrame>> calls = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int offset = i;
                calls.add(client.call(address(), id -> new DataFrame.Read(id, 1, 1, offset, 3), TIMEOUT_MS));
            }
            for (int i = 0; i < 8; i++) {
                DataFrame.Data data = (DataFrame.Data) calls.get(i).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
                try {
                    assertThat(data.data().getByte(0)).as("reply of call %d", i).isEqualTo((byte) i);
                } finally {
                    data.data().release();
                }
            }
            assertThat(accepted).hasSize(1);
            assertThat(hellos).hasValue(1);
        }
    }

    @Test
    void callsAreSpreadOverTheConfiguredNumberOfConnections() throws Exception {
        try (DataClient client = new DataClient("good", 3)) {
            for (int i = 0; i < 9; i++) {
                DataFrame reply = client.call(address(), id -> new DataFrame.Truncate(id, 1, 1, 0, 0, List.of()),
                        TIMEOUT_MS).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
                assertThat(reply).isInstanceOf(DataFrame.Ok.class);
            }
            assertThat(accepted).hasSize(3);
        }
    }

    @Test
    void wrongClusterFailsTheCallWithAnIoExceptionSayingSo() {
        try (DataClient client = new DataClient("other", 1)) {
            CompletableFuture<DataFrame> call = client.call(address(), id -> new DataFrame.Ok(id), TIMEOUT_MS);
            assertThatThrownBy(() -> call.get(TIMEOUT_MS, TimeUnit.MILLISECONDS))
                    .isInstanceOf(ExecutionException.class).cause()
                    .isInstanceOf(IOException.class).hasMessageContaining("wrong cluster");
        }
    }

    @Test
    void unreachableServerFailsWithIoException() throws IOException {
        int freePort;
        try (ServerSocket socket = new ServerSocket(0)) {
            freePort = socket.getLocalPort();
        }
        try (DataClient client = new DataClient("good", 1)) {
            CompletableFuture<DataFrame> call = client.call(new DataFrame.Address("127.0.0.1", freePort),
                    id -> new DataFrame.Ok(id), TIMEOUT_MS);
            assertThatThrownBy(() -> call.get(TIMEOUT_MS, TimeUnit.MILLISECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(IOException.class)
                    .hasMessageContaining("cannot connect");
        }
    }

    @Test
    void unansweredCallTimesOutWithIoException() {
        holdUntil = Integer.MAX_VALUE;
        try (DataClient client = new DataClient("good", 1)) {
            CompletableFuture<DataFrame> call = client.call(address(), id -> new DataFrame.Read(id, 1, 1, 0, 1), 200);
            assertThatThrownBy(() -> call.get(TIMEOUT_MS, TimeUnit.MILLISECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(IOException.class)
                    .hasMessageContaining("no reply within 200 ms");
        }
    }

    @Test
    void lostConnectionFailsPendingCallsAndTheNextCallReconnects() throws Exception {
        holdUntil = Integer.MAX_VALUE;
        try (DataClient client = new DataClient("good", 1)) {
            CompletableFuture<DataFrame> held = client.call(address(), id -> new DataFrame.Read(id, 1, 1, 0, 1),
                    TIMEOUT_MS);
            CompletableFuture<DataFrame> killer = client.call(address(),
                    id -> new DataFrame.Error(id, Status.EIO.code(), "close", ""), TIMEOUT_MS);
            for (CompletableFuture<DataFrame> call : List.of(held, killer)) {
                assertThatThrownBy(() -> call.get(TIMEOUT_MS, TimeUnit.MILLISECONDS))
                        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(IOException.class)
                        .hasMessageContaining("lost");
            }
            DataFrame reply = client.call(address(), id -> new DataFrame.Truncate(id, 1, 1, 0, 0, List.of()),
                    TIMEOUT_MS).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertThat(reply).isInstanceOf(DataFrame.Ok.class);
            assertThat(hellos).hasValue(2);
        }
    }

    @Test
    void writePayloadIsReleasedAfterSending() throws Exception {
        io.netty.buffer.ByteBuf payload = Unpooled.directBuffer(16).writeZero(16);
        try (DataClient client = new DataClient("good", 1)) {
            DataFrame reply = client.call(address(),
                    id -> new DataFrame.Write(id, 1, 1, 0, 0, List.of(), 0, payload), TIMEOUT_MS)
                    .get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            assertThat(reply).isInstanceOf(DataFrame.Ok.class);
            assertThat(payload.refCnt()).isZero();
        }
    }

    @Test
    void blockingReadsGetTheirRepliesOnOneConnectionOneAfterAnother() throws Exception {
        try (BlockingDataReads reads = new BlockingDataReads("good")) {
            for (int i = 0; i < 5; i++) {
                int offset = i;
                DataFrame.Data data = (DataFrame.Data) reads.call(address(),
                        id -> new DataFrame.Read(id, 1, 1, offset, 3), TIMEOUT_MS);
                try {
                    assertThat(data.data().getByte(0)).isEqualTo((byte) i);
                    assertThat(data.data().readableBytes()).isEqualTo(3);
                } finally {
                    data.data().release();
                }
            }
            assertThat(accepted).hasSize(1);
            assertThat(hellos).hasValue(1);
            assertThat(reads.openConnections()).isEqualTo(1);
        }
    }

    @Test
    void aBlockingReadToTheWrongClusterFailsSayingSo() {
        try (BlockingDataReads reads = new BlockingDataReads("other")) {
            assertThatThrownBy(() -> reads.call(address(), id -> new DataFrame.Read(id, 1, 1, 0, 1), TIMEOUT_MS))
                    .isInstanceOf(IOException.class).hasMessageContaining("wrong cluster");
            assertThat(reads.openConnections()).isZero();
        }
    }

    @Test
    void anUnansweredBlockingReadTimesOutAndItsConnectionIsNotReused() throws Exception {
        try (BlockingDataReads reads = new BlockingDataReads("good")) {
            DataFrame.Data first = (DataFrame.Data) reads.call(address(),
                    id -> new DataFrame.Read(id, 1, 1, 0, 1), TIMEOUT_MS);
            first.data().release();
            holdUntil = Integer.MAX_VALUE;

            long started = System.nanoTime();
            assertThatThrownBy(() -> reads.call(address(), id -> new DataFrame.Read(id, 1, 1, 0, 1), 200))
                    .isInstanceOf(java.net.SocketTimeoutException.class).hasMessageContaining("no reply within 200 ms");
            assertThat(System.nanoTime() - started).isLessThan(TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS));
            assertThat(reads.openConnections()).as("the late reply must not reach another read").isZero();

            holdUntil = 1;
            DataFrame reply = reads.call(address(), id -> new DataFrame.Read(id, 1, 1, 7, 1), TIMEOUT_MS);
            assertThat(((DataFrame.Data) reply).data().getByte(0)).isEqualTo((byte) 7);
            ((DataFrame.Data) reply).data().release();
            assertThat(hellos).hasValue(2);
        }
    }

    /**
     * HELLO "good" is accepted; READ answers a byte equal to its offset, held back until
     * {@code holdUntil} reads arrived, then answered in reverse order; WRITE, TRUNCATE and
     * SYNC answer Ok; an ERROR frame sent as a request makes the server close the connection.
     */
    private final class ScriptedServer extends SimpleChannelInboundHandler<DataFrame> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DataFrame frame) {
            switch (frame) {
                case DataFrame.Hello h -> {
                    hellos.incrementAndGet();
                    if (h.clusterId().equals("good")) {
                        ctx.writeAndFlush(new DataFrame.Ok(h.requestId()));
                    } else {
                        ctx.writeAndFlush(new DataFrame.Error(h.requestId(), Status.WRONG_CLUSTER.code(),
                                "this is cluster good", "")).addListener(f -> ctx.close());
                    }
                }
                case DataFrame.Read r -> {
                    synchronized (heldReads) {
                        heldReads.add(r);
                        if (heldReads.size() >= holdUntil) {
                            for (DataFrame.Read held : heldReads.reversed()) {
                                ctx.write(new DataFrame.Data(held.requestId(), 0,
                                        Unpooled.buffer().writeByte(held.offset()).writeZero(held.length() - 1)));
                            }
                            ctx.flush();
                            heldReads.clear();
                        }
                    }
                }
                case DataFrame.Write w -> {
                    w.data().release();
                    ctx.writeAndFlush(new DataFrame.Ok(w.requestId()));
                }
                case DataFrame.Truncate t -> ctx.writeAndFlush(new DataFrame.Ok(t.requestId()));
                case DataFrame.Sync y -> ctx.writeAndFlush(new DataFrame.Ok(y.requestId()));
                case DataFrame.Error e -> ctx.close();
                case DataFrame.Ok o -> ctx.writeAndFlush(new DataFrame.Ok(o.requestId()));
                case DataFrame.Data d -> d.data().release();
            }
        }
    }
}
