package org.mooseng.jmh;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.mooseng.proto.Attr;
import org.mooseng.proto.AttrReply;
import org.mooseng.proto.Credentials;
import org.mooseng.proto.FileType;
import org.mooseng.proto.LookupRequest;
import org.mooseng.proto.MasterClientServiceGrpc;
import org.mooseng.proto.MasterClientServiceGrpc.MasterClientServiceBlockingStub;
import org.mooseng.proto.Timespec;
import org.mooseng.protocol.rpc.BlockingFramedChannel;
import org.mooseng.protocol.rpc.FramedChannel;
import org.mooseng.protocol.rpc.FramedServer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One unary metadata call (a Lookup of ~100 bytes answered by an AttrReply of ~100 bytes, the
 * handler doing nothing else) through a blocking stub with a deadline, as the client calls
 * the master, over 127.0.0.1 in one JVM, on each {@link Transport}:
 * <ul>
 *   <li>{@code GRPC}: grpc-netty-shaded, plaintext, the server's handlers on virtual threads
 *       as the master runs them;
 *   <li>{@code GRPC_DIRECT}: the same with direct executors on both ends, gRPC's fastest setup;
 *   <li>{@code FRAMED}: {@link FramedServer} and {@link FramedChannel}, handlers on the event loop;
 *   <li>{@code FRAMED_BLOCKING}: the same server and a {@link BlockingFramedChannel}, each call's
 *       I/O on the calling thread (the client's transport to the master).
 * </ul>
 * {@code latency} is the average time of one call with one caller; {@code throughput} the
 * calls per second of four callers sharing one channel. Client and server share the machine's
 * cores, so the figures include both ends' CPU.
 */
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {JvmFlags.HEAP, JvmFlags.GC}, jvmArgsAppend = {JvmFlags.NATIVE_ACCESS, JvmFlags.UNSAFE,
        JvmFlags.OPEN_LANG, JvmFlags.OPEN_NIO, JvmFlags.OPEN_NIO_CHANNELS, JvmFlags.OPEN_UTIL,
        JvmFlags.NETTY_REFLECTION, JvmFlags.SOFA_LOGGING})
@State(Scope.Benchmark)
public class UnaryRpcBenchmark {
    /** How the call travels. */
    public enum Transport { GRPC, GRPC_DIRECT, FRAMED, FRAMED_BLOCKING }

    @Param
    public Transport transport;

    private static final long DEADLINE_MS = 5_000;

    private final LookupRequest request = LookupRequest.newBuilder()
            .setCred(Credentials.newBuilder().setUid(1000).setGid(1000).addGroups(4).addGroups(27).addGroups(100))
            .setParent(0x1234_5678L)
            .setName("benchmark-" + "x".repeat(70))
            .build();
    private final AttrReply reply = AttrReply.newBuilder()
            .setAttr(Attr.newBuilder().setInode(0x1234_5679L).setType(FileType.REGULAR).setMode(0644)
                    .setUid(1000).setGid(1000).setSize(123_456_789L).setNlink(1)
                    .setAtime(Timespec.newBuilder().setSeconds(1_760_000_000L).setNanos(123_456_789))
                    .setMtime(Timespec.newBuilder().setSeconds(1_760_000_001L).setNanos(223_456_789))
                    .setCtime(Timespec.newBuilder().setSeconds(1_760_000_002L).setNanos(323_456_789))
                    .setGoal(2))
            .setMessage("x".repeat(40))
            .build();

    private Server grpcServer;
    private ManagedChannel grpcChannel;
    private ExecutorService grpcHandlers;
    private FramedServer framedServer;
    private AutoCloseable framedChannel;
    private MasterClientServiceBlockingStub stub;

    /** Answers every lookup with the same attributes. */
    private final class LookupService extends MasterClientServiceGrpc.MasterClientServiceImplBase {
        @Override
        public void lookup(LookupRequest ignored, StreamObserver<AttrReply> observer) {
            observer.onNext(reply);
            observer.onCompleted();
        }
    }

    @Setup
    public void start() throws IOException {
        switch (transport) {
            case GRPC, GRPC_DIRECT -> {
                NettyServerBuilder server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                        .addService(new LookupService());
                NettyChannelBuilder channel;
                if (transport == Transport.GRPC) {
                    grpcHandlers = Executors.newVirtualThreadPerTaskExecutor();
                    server.executor(grpcHandlers);
                    grpcServer = server.build().start();
                    channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcServer.getPort());
                } else {
                    grpcServer = server.directExecutor().build().start();
                    channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcServer.getPort()).directExecutor();
                }
                grpcChannel = channel.usePlaintext().build();
                stub = MasterClientServiceGrpc.newBlockingStub(grpcChannel);
            }
            case FRAMED -> {
                framedServer = FramedServer.start("127.0.0.1", 0, List.of(new LookupService().bindService()));
                FramedChannel channel = new FramedChannel("127.0.0.1", framedServer.port());
                framedChannel = channel;
                stub = MasterClientServiceGrpc.newBlockingStub(channel);
            }
            case FRAMED_BLOCKING -> {
                framedServer = FramedServer.start("127.0.0.1", 0, List.of(new LookupService().bindService()));
                BlockingFramedChannel channel = new BlockingFramedChannel("127.0.0.1", framedServer.port());
                framedChannel = channel;
                stub = MasterClientServiceGrpc.newBlockingStub(channel);
            }
        }
        AttrReply answer = call();
        if (!answer.equals(reply)) {
            throw new IllegalStateException(transport + ": wrong reply " + answer);
        }
    }

    @TearDown
    public void stop() throws Exception {
        if (grpcChannel != null) {
            grpcChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            grpcServer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (grpcHandlers != null) {
            grpcHandlers.shutdownNow();
        }
        if (framedChannel != null) {
            framedChannel.close();
            framedServer.close();
        }
    }

    private AttrReply call() {
        return stub.withDeadlineAfter(DEADLINE_MS, TimeUnit.MILLISECONDS).lookup(request);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Threads(1)
    public AttrReply latency() {
        return call();
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Threads(4)
    public AttrReply throughput() {
        return call();
    }
}
