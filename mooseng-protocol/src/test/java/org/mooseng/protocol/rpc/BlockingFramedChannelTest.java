package org.mooseng.protocol.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.mooseng.proto.AttrReply;
import org.mooseng.proto.MasterClientServiceGrpc;

/**
 * The framed RPC contract over {@link BlockingFramedChannel}, and how it keeps its pool of
 * connections: one per concurrent call, a bounded number kept idle, none kept after a failure.
 */
class BlockingFramedChannelTest extends FramedRpcContract<BlockingFramedChannel> {
    @Override
    BlockingFramedChannel newChannel(int port) {
        return new BlockingFramedChannel("127.0.0.1", port);
    }

    @Test
    void callsOneAfterAnotherShareOneConnection() {
        for (int i = 0; i < 50; i++) {
            assertThat(stub().lookup(lookup(i, "n" + i)).getMessage()).isEqualTo("n" + i);
        }

        assertThat(channel.openConnections()).isEqualTo(1);
    }

    @Test
    void concurrentCallsEachGetAConnectionAndAtMostMaxIdleStayOpenAfterwards() throws Exception {
        int calls = BlockingFramedChannel.MAX_IDLE + 9;
        ExecutorService handlers = Executors.newFixedThreadPool(calls);
        ExecutorService callers = Executors.newFixedThreadPool(calls);
        try (FramedServer slowServer = startServer(0, handlers);
             BlockingFramedChannel toSlow = newChannel(slowServer.port())) {
            List<CompletableFuture<AttrReply>> replies = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                replies.add(CompletableFuture.supplyAsync(() -> MasterClientServiceGrpc.newBlockingStub(toSlow)
                        .withDeadlineAfter(WAIT_MS, TimeUnit.MILLISECONDS).lookup(lookup(1, "slow")), callers));
            }
            for (CompletableFuture<AttrReply> reply : replies) {
                assertThat(reply.get(WAIT_MS, TimeUnit.MILLISECONDS).getMessage()).isEqualTo("slow");
            }

            assertThat(toSlow.openConnections()).isEqualTo(BlockingFramedChannel.MAX_IDLE);
        } finally {
            callers.shutdownNow();
            handlers.shutdownNow();
        }
    }

    @Test
    void afterTheServerRestartsOneFailedCallClosesEveryIdleConnection() throws Exception {
        int calls = 5;
        ExecutorService handlers = Executors.newFixedThreadPool(calls);
        ExecutorService callers = Executors.newFixedThreadPool(calls);
        FramedServer slowServer = startServer(0, handlers);
        int port = slowServer.port();
        try (BlockingFramedChannel toRestarted = newChannel(port)) {
            List<CompletableFuture<AttrReply>> replies = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                replies.add(CompletableFuture.supplyAsync(() -> MasterClientServiceGrpc.newBlockingStub(toRestarted)
                        .withDeadlineAfter(WAIT_MS, TimeUnit.MILLISECONDS).lookup(lookup(1, "slow")), callers));
            }
            for (CompletableFuture<AttrReply> reply : replies) {
                reply.get(WAIT_MS, TimeUnit.MILLISECONDS);
            }
            assertThat(toRestarted.openConnections()).isEqualTo(calls);

            slowServer.close();
            slowServer = startServer(port, null);

            var stub = MasterClientServiceGrpc.newBlockingStub(toRestarted)
                    .withDeadlineAfter(WAIT_MS, TimeUnit.MILLISECONDS);
            assertThatThrownBy(() -> stub.lookup(lookup(1, "stale")))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
            assertThat(toRestarted.openConnections()).as("the idle connections were closed with the broken one")
                    .isZero();
            assertThat(stub.lookup(lookup(2, "fresh")).getMessage()).isEqualTo("fresh");
        } finally {
            slowServer.close();
            callers.shutdownNow();
            handlers.shutdownNow();
        }
    }
}
