package org.mooseng.protocol.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingClientCall;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mooseng.proto.Attr;
import org.mooseng.proto.AttrReply;
import org.mooseng.proto.GetAttrRequest;
import org.mooseng.proto.LookupRequest;
import org.mooseng.proto.MasterClientServiceGrpc;
import org.mooseng.proto.MasterClientServiceGrpc.MasterClientServiceBlockingStub;

/**
 * A real FramedServer and a client channel on 127.0.0.1, driven through the generated stubs:
 * what every client transport of the framed protocol must do, run for each one by a subclass.
 */
abstract class FramedRpcContract<C extends Channel & AutoCloseable> {
    static final long WAIT_MS = 5_000;
    static final long SLOW_MS = 300;
    private static final Metadata.Key<String> CLUSTER_ID =
            Metadata.Key.of("mooseng-cluster-id", Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<String> SEEN_CLUSTER_ID = Context.key("seen-cluster-id");
    private static final Context.Key<String> SEEN_CALLER = Context.key("seen-caller");

    /** Counted down when a "hang" lookup reaches the handler, and when the server sees it cancelled. */
    private volatile CountDownLatch hung = new CountDownLatch(1);
    private volatile CountDownLatch hungCancelled = new CountDownLatch(1);
    FramedServer server;
    C channel;

    /**
     * lookup answers with the parent as inode and the name as message; "missing" is NOT_FOUND,
     * "hang" is never answered, "slow" is answered after {@link #SLOW_MS}, "who" tells what the server saw of the caller.
     */
    private final class TestService extends MasterClientServiceGrpc.MasterClientServiceImplBase {
        @Override
        public void lookup(LookupRequest request, StreamObserver<AttrReply> reply) {
            switch (request.getName()) {
                case "missing" -> reply.onError(Status.NOT_FOUND
                        .withDescription("inode " + request.getParent() + ": no entry missing").asRuntimeException());
                case "hang" -> {
                    ((ServerCallStreamObserver<AttrReply>) reply).setOnCancelHandler(hungCancelled::countDown);
                    hung.countDown();
                }
                case "slow" -> {
                    try {
                        Thread.sleep(SLOW_MS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    reply.onNext(AttrReply.newBuilder().setMessage("slow").build());
                    reply.onCompleted();
                }
                case "who" -> {
                    reply.onNext(AttrReply.newBuilder().setMessage(SEEN_CLUSTER_ID.get() + "|" + SEEN_CALLER.get()
                            + "|" + (Context.current().getDeadline() != null) + "|" + Thread.currentThread().getName())
                            .build());
                    reply.onCompleted();
                }
                default -> {
                    reply.onNext(AttrReply.newBuilder().setMessage(request.getName())
                            .setAttr(Attr.newBuilder().setInode(request.getParent())).build());
                    reply.onCompleted();
                }
            }
        }

        @Override
        public void getAttr(GetAttrRequest request, StreamObserver<AttrReply> reply) {
            reply.onNext(AttrReply.newBuilder().setAttr(Attr.newBuilder().setInode(request.getInode())).build());
            reply.onCompleted();
        }
    }

    /** Puts the cluster-id header and the caller's address in the call's Context, as the master's interceptors do. */
    private static final class SeeingInterceptor implements ServerInterceptor {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                           ServerCallHandler<Q, R> next) {
            InetSocketAddress caller = (InetSocketAddress) call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
            Context context = Context.current().withValue(SEEN_CLUSTER_ID, headers.get(CLUSTER_ID))
                    .withValue(SEEN_CALLER, caller.getAddress().getHostAddress());
            return Contexts.interceptCall(context, call, headers, next);
        }
    }

    /** Adds the cluster-id header, as the client's MasterConnection does. */
    private static final class ClusterIdHeader implements ClientInterceptor {
        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                @Override
                public void start(Listener<R> listener, Metadata headers) {
                    headers.put(CLUSTER_ID, "cluster-7");
                    super.start(listener, headers);
                }
            };
        }
    }

    /** A channel of the transport under test to 127.0.0.1:{@code port}. */
    abstract C newChannel(int port);

    @BeforeEach
    void start() throws IOException {
        server = startServer(0, null);
        channel = newChannel(server.port());
    }

    @AfterEach
    void stop() throws Exception {
        channel.close();
        server.close();
    }

    FramedServer startServer(int port, ExecutorService executor) throws IOException {
        return FramedServer.start("127.0.0.1", port,
                List.of(ServerInterceptors.intercept(new TestService(), new SeeingInterceptor())), executor);
    }

    MasterClientServiceBlockingStub stub() {
        return MasterClientServiceGrpc.newBlockingStub(channel).withDeadlineAfter(WAIT_MS, TimeUnit.MILLISECONDS);
    }

    static LookupRequest lookup(long parent, String name) {
        return LookupRequest.newBuilder().setParent(parent).setName(name).build();
    }

    @Test
    void blockingStubGetsTheReply() {
        AttrReply reply = stub().lookup(lookup(7, "a"));

        assertThat(reply.getAttr().getInode()).isEqualTo(7);
        assertThat(reply.getMessage()).isEqualTo("a");
    }

    @Test
    void asyncStubGetsTheReply() throws Exception {
        CompletableFuture<AttrReply> result = new CompletableFuture<>();
        MasterClientServiceGrpc.newStub(channel).lookup(lookup(9, "b"), new StreamObserver<>() {
            @Override
            public void onNext(AttrReply value) {
                result.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                result.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                result.complete(null);
            }
        });

        AttrReply reply = result.get(WAIT_MS, TimeUnit.MILLISECONDS);
        assertThat(reply.getAttr().getInode()).isEqualTo(9);
        assertThat(reply.getMessage()).isEqualTo("b");
    }

    @Test
    void headerFromAClientInterceptorAndTheCallerAddressReachTheServerInterceptors() {
        AttrReply reply = stub().withInterceptors(new ClusterIdHeader()).lookup(lookup(1, "who"));

        String[] seen = reply.getMessage().split("\\|");
        assertThat(seen[0]).isEqualTo("cluster-7");
        assertThat(seen[1]).isEqualTo("127.0.0.1");
        assertThat(seen[2]).as("the caller's deadline is the call's Context deadline").isEqualTo("true");
    }

    @Test
    void errorStatusReachesTheClientWithItsDescription() {
        assertThatThrownBy(() -> stub().lookup(lookup(3, "missing")))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
                    assertThat(e.getStatus().getDescription()).isEqualTo("inode 3: no entry missing");
                });
    }

    @Test
    void unknownMethodIsUnimplemented() {
        MethodDescriptor<GetAttrRequest, AttrReply> missing = MethodDescriptor.<GetAttrRequest, AttrReply>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(MethodDescriptor.generateFullMethodName("mooseng.Nowhere", "Nothing"))
                .setRequestMarshaller(ProtoUtils.marshaller(GetAttrRequest.getDefaultInstance()))
                .setResponseMarshaller(ProtoUtils.marshaller(AttrReply.getDefaultInstance()))
                .build();

        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, missing,
                CallOptions.DEFAULT.withDeadlineAfter(WAIT_MS, TimeUnit.MILLISECONDS), GetAttrRequest.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
        assertThat(stub().lookup(lookup(2, "after")).getMessage()).as("the connection still serves").isEqualTo("after");
    }

    @Test
    void deadlineExceededEndsTheCallOnBothSides() throws InterruptedException {
        assertThatThrownBy(() -> MasterClientServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(200, TimeUnit.MILLISECONDS).lookup(lookup(1, "hang")))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));

        assertThat(hungCancelled.await(WAIT_MS, TimeUnit.MILLISECONDS)).as("the server saw the call cancelled").isTrue();
        assertThat(stub().lookup(lookup(4, "next")).getMessage()).isEqualTo("next");
    }

    @Test
    void cancelledCallIsCancelledOnTheServer() throws Exception {
        ListenableFuture<AttrReply> call = MasterClientServiceGrpc.newFutureStub(channel).lookup(lookup(1, "hang"));
        assertThat(hung.await(WAIT_MS, TimeUnit.MILLISECONDS)).isTrue();

        call.cancel(true);

        assertThat(hungCancelled.await(WAIT_MS, TimeUnit.MILLISECONDS)).isTrue();
        assertThat(stub().lookup(lookup(5, "next")).getMessage()).isEqualTo("next");
    }

    @Test
    void manyConcurrentCallsFromManyThreadsAreEachAnsweredWithTheirOwnReply() throws Exception {
        int threads = 8;
        int callsPerThread = 25;
        ExecutorService callers = Executors.newFixedThreadPool(threads);
        try {
            List<CompletableFuture<List<Long>>> answers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                answers.add(CompletableFuture.supplyAsync(() -> {
                    // all of a thread's calls are in flight before it waits for the first reply
                    var futureStub = MasterClientServiceGrpc.newFutureStub(channel)
                            .withDeadlineAfter(WAIT_MS, TimeUnit.MILLISECONDS);
                    List<ListenableFuture<AttrReply>> calls = new ArrayList<>();
                    for (int i = 0; i < callsPerThread; i++) {
                        calls.add(futureStub.getAttr(GetAttrRequest.newBuilder()
                                .setInode(thread * 1000L + i).build()));
                    }
                    List<Long> inodes = new ArrayList<>();
                    for (ListenableFuture<AttrReply> call : calls) {
                        try {
                            inodes.add(call.get().getAttr().getInode());
                        } catch (InterruptedException | ExecutionException e) {
                            throw new IllegalStateException(e);
                        }
                    }
                    return inodes;
                }, callers));
            }
            for (int t = 0; t < threads; t++) {
                List<Long> expected = new ArrayList<>();
                for (int i = 0; i < callsPerThread; i++) {
                    expected.add(t * 1000L + i);
                }
                assertThat(answers.get(t).get(WAIT_MS * 2, TimeUnit.MILLISECONDS)).isEqualTo(expected);
            }
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void serverKilledMidCallFailsTheCallUnavailableAndALaterCallReconnects() throws Exception {
        ListenableFuture<AttrReply> call = MasterClientServiceGrpc.newFutureStub(channel).lookup(lookup(1, "hang"));
        assertThat(hung.await(WAIT_MS, TimeUnit.MILLISECONDS)).isTrue();
        int port = server.port();

        server.close();

        assertThatThrownBy(() -> call.get(WAIT_MS, TimeUnit.MILLISECONDS))
                .hasCauseInstanceOf(StatusRuntimeException.class)
                .satisfies(e -> assertThat(((StatusRuntimeException) e.getCause()).getStatus().getCode())
                        .isEqualTo(Status.Code.UNAVAILABLE));
        assertThatThrownBy(() -> stub().lookup(lookup(1, "down")))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));

        server = startServer(port, null);
        assertThat(stub().lookup(lookup(6, "back")).getMessage()).isEqualTo("back");
    }

    /** Bytes a stray or broken peer might send first. */
    @ParameterizedTest
    @ValueSource(strings = {
        "474554202f20485454502f312e310d0a486f73743a20780d0a0d0a", // GET / HTTP/1.1
        "000000060150524f5401", // a HELLO of another protocol's magic
        "00000006014d4e475202", // a HELLO of a later version
        "00000006014d4e475201" + "00000001" + "09", // HELLO, then an unknown frame type
        "00000006014d4e475201" + "00000005" + "02" + "00000001", // HELLO, then a REQUEST cut short
        "00000006014d4e475201" + "7fffffff" + "02", // HELLO, then a frame longer than 64 MiB
        "00000006014d4e475201" + "00000006014d4e475201", // HELLO twice
    })
    void garbageClosesThatConnectionAndTheServerKeepsServingOthers(String hex) throws IOException {
        try (Socket stray = new Socket("127.0.0.1", server.port())) {
            stray.setSoTimeout((int) WAIT_MS);
            stray.getOutputStream().write(HexFormat.of().parseHex(hex));
            stray.getOutputStream().flush();

            byte[] received = readUntilClosed(stray.getInputStream());
            assertThat(ByteBuffer.wrap(received, 5, 4).getInt()).as("the server's HELLO came first")
                    .isEqualTo(RpcFrame.MAGIC);
            assertThat(received).as("nothing but the server's HELLO").hasSize(10);
        }
        assertThat(stub().lookup(lookup(8, "still")).getMessage()).isEqualTo("still");
    }

    private static byte[] readUntilClosed(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[256];
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                all.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server did not close the connection; received "
                    + HexFormat.of().formatHex(all.toByteArray()), e);
        }
        return all.toByteArray();
    }

    @Test
    void handlersRunOnTheGivenExecutor() throws Exception {
        ExecutorService handlers = Executors.newFixedThreadPool(2, r -> new Thread(r, "test-handler"));
        try (FramedServer pooled = startServer(0, handlers);
             C toPooled = newChannel(pooled.port())) {
            AttrReply reply = MasterClientServiceGrpc.newBlockingStub(toPooled).withInterceptors(new ClusterIdHeader())
                    .withDeadlineAfter(WAIT_MS, TimeUnit.MILLISECONDS).lookup(lookup(1, "who"));

            assertThat(reply.getMessage()).isEqualTo("cluster-7|127.0.0.1|true|test-handler");
        } finally {
            handlers.shutdownNow();
        }
    }

    @Test
    void callOnAClosedChannelIsUnavailable() throws Exception {
        assertThat(stub().lookup(lookup(1, "before")).getMessage()).isEqualTo("before");

        channel.close();

        assertThatThrownBy(() -> stub().lookup(lookup(1, "after")))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    }

    @Test
    void callToAnAbsentServerIsUnavailable() throws Exception {
        int port = server.port();
        server.close();
        server = startServer(0, null); // for stop()
        try (C nowhere = newChannel(port)) {
            assertThatThrownBy(() -> MasterClientServiceGrpc.newBlockingStub(nowhere)
                    .withDeadlineAfter(WAIT_MS, TimeUnit.MILLISECONDS).lookup(lookup(1, "x")))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        }
    }
}
