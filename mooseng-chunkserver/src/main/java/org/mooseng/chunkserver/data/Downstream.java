package org.mooseng.chunkserver.data;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import org.mooseng.protocol.data.DataClient;
import org.mooseng.protocol.data.DataFrame;

/**
 * The connections this server forwards chain writes on. The clients are created on first use
 * because a freshly formatted server learns its cluster id only when it first registers.
 *
 * <p>Each next server is reached over {@code lanes} connections, and every frame of one chunk
 * goes over the same one ({@code chunkId mod lanes}), in the order {@link #call} was called: the
 * next server must apply a chunk's frames in the order this one accepted them. A lane is one
 * {@link DataClient} holding a single connection per server. Such a client sends a request
 * from within {@code call} when its connection is up; while it is still connecting (or
 * reconnecting) it would send the queued requests in no defined order once connected. So a
 * lane whose last call was not sent from within {@code call} holds back later calls until that
 * call has its reply, then sends them in order; if it failed, they fail with it, as the frames
 * of a lost connection do. Should the client never send from within {@code call}, every frame
 * would wait for the previous reply: slower, but still in order.
 */
public final class Downstream implements AutoCloseable {
    /** Calls held back on one lane while its connection is being made; past this they are refused. */
    static final int MAX_HELD_CALLS = 4096;

    private final Supplier<String> clusterId;
    private final DataClient[] clients;
    private final ConcurrentHashMap<LaneKey, Lane> lanes = new ConcurrentHashMap<>();
    private boolean closed;

    public Downstream(Supplier<String> clusterId, int lanes) {
        if (lanes < 1) {
            throw new IllegalArgumentException("downstream lanes must be at least 1: " + lanes);
        }
        this.clusterId = clusterId;
        this.clients = new DataClient[lanes];
    }

    /**
     * Sends the request built by {@code request} to {@code server} on the lane of
     * {@code chunkId}, after every earlier call for a chunk of that lane. Completes with the
     * reply, or exceptionally with an IOException (SocketTimeoutException after timeoutMs).
     */
    CompletableFuture<DataFrame> call(long chunkId, DataFrame.Address server, LongFunction<DataFrame> request,
                                      long timeoutMs) {
        int index = (int) Math.floorMod(chunkId, (long) clients.length);
        DataClient client;
        synchronized (this) {
            String id = clusterId.get();
            if (closed || id == null) {
                return CompletableFuture.failedFuture(new IOException(closed ? "chunk server closing"
                        : "cluster id not known yet"));
            }
            if (clients[index] == null) {
                clients[index] = new DataClient(id, 1);
            }
            client = clients[index];
        }
        return lanes.computeIfAbsent(new LaneKey(server, index), key -> new Lane(server, client))
                .call(request, timeoutMs);
    }

    @Override
    public void close() {
        DataClient[] toClose;
        synchronized (this) {
            closed = true;
            toClose = clients.clone();
            java.util.Arrays.fill(clients, null);
        }
        for (DataClient client : toClose) {
            if (client != null) {
                client.close();
            }
        }
    }

    private record LaneKey(DataFrame.Address server, int index) {
    }

    /** The calls on one connection to one server, sent in the order they were made. */
    private static final class Lane {
        private final DataFrame.Address server;
        private final DataClient client;
        /** Calls made while {@link #unsent} was pending, oldest first. */
        private final ArrayDeque<Held> held = new ArrayDeque<>();
        /** A call whose frame may not be on the connection yet; later calls wait for its reply. */
        private CompletableFuture<DataFrame> unsent;

        private record Held(LongFunction<DataFrame> request, long timeoutMs, CompletableFuture<DataFrame> result) {
        }

        Lane(DataFrame.Address server, DataClient client) {
            this.server = server;
            this.client = client;
        }

        synchronized CompletableFuture<DataFrame> call(LongFunction<DataFrame> request, long timeoutMs) {
            if (unsent == null) {
                return send(request, timeoutMs);
            }
            if (held.size() >= MAX_HELD_CALLS) {
                return CompletableFuture.failedFuture(new IOException(server + ": " + MAX_HELD_CALLS
                        + " forwards already waiting for the connection"));
            }
            Held call = new Held(request, timeoutMs, new CompletableFuture<>());
            held.add(call);
            return call.result();
        }

        /** Called with the lane's lock held and nothing sent-but-unconfirmed ahead. */
        private CompletableFuture<DataFrame> send(LongFunction<DataFrame> request, long timeoutMs) {
            Thread caller = Thread.currentThread();
            boolean[] sentWithinCall = new boolean[1];
            boolean[] returned = new boolean[1];
            CompletableFuture<DataFrame> result = client.call(server, id -> {
                if (Thread.currentThread() == caller && !returned[0]) {
                    sentWithinCall[0] = true;
                }
                return request.apply(id);
            }, timeoutMs);
            returned[0] = true;
            if (!sentWithinCall[0] && !result.isDone()) {
                unsent = result;
                result.whenComplete((reply, failure) -> settled(result, failure));
            }
            return result;
        }

        private synchronized void settled(CompletableFuture<DataFrame> call, Throwable failure) {
            if (unsent != call) {
                return;
            }
            unsent = null;
            if (failure != null) {
                for (Held next; (next = held.poll()) != null; ) {
                    next.result().completeExceptionally(failure);
                }
                return;
            }
            while (unsent == null && !held.isEmpty()) {
                Held next = held.poll();
                send(next.request(), next.timeoutMs()).whenComplete((reply, error) -> {
                    if (error != null) {
                        next.result().completeExceptionally(error);
                    } else {
                        next.result().complete(reply);
                    }
                });
            }
        }
    }
}
