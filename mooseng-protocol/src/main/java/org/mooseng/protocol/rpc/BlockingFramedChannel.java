package org.mooseng.protocol.rpc;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.MethodDescriptor;
import java.io.IOException;
import java.util.Deque;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executor;

/**
 * A gRPC {@link Channel} to one {@link FramedServer} whose calls do their own I/O on the
 * calling thread: a call borrows an idle connection (or opens one), writes its request and
 * reads its reply there, and puts the connection back. A blocking stub's call thus wakes no
 * other thread on this side. On a {@link FramedChannel} the request goes out through the
 * channel's I/O thread and the reply comes back through it, two hand-offs per call that on a
 * small virtual machine cost as much as the network round trip itself.
 *
 * <p>Calls whose {@link CallOptions} name an executor (blocking stubs do) run on the calling
 * thread; others (future and async stubs) run on a virtual thread of their own. A connection
 * carries one call at a time; connections are opened as concurrent calls need them and at
 * most {@link #MAX_IDLE} idle ones are kept. A connection whose call ended without its reply
 * (deadline, cancel) or failed is closed, so a late reply never reaches another call; the
 * server cancels the calls of a closed connection. {@link #close()} fails the calls in flight
 * with UNAVAILABLE. Same wire protocol and server as {@link FramedChannel}.
 */
public final class BlockingFramedChannel extends Channel implements AutoCloseable {
    /** Idle connections kept for later calls; a burst of more concurrent calls closes the extra ones afterwards. */
    static final int MAX_IDLE = 16;
    private static final Executor VIRTUAL_THREAD = task -> Thread.ofVirtual().name("framed-call").start(task);

    private final String host;
    private final int port;
    private final String authority;
    private final Deque<BlockingFramedConnection> idle = new ConcurrentLinkedDeque<>();
    private final Set<BlockingFramedConnection> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    public BlockingFramedChannel(String host, int port) {
        this.host = Objects.requireNonNull(host, "host");
        this.port = port;
        this.authority = host + ":" + port;
    }

    @Override
    public <Q, R> ClientCall<Q, R> newCall(MethodDescriptor<Q, R> method, CallOptions options) {
        Executor caller = options.getExecutor();
        return new BlockingFramedCall<>(this, method, options, caller != null ? caller : VIRTUAL_THREAD,
                caller == null);
    }

    @Override
    public String authority() {
        return authority;
    }

    /** Closes every connection: calls in flight fail with UNAVAILABLE, later calls at once. */
    @Override
    public void close() {
        closed = true;
        for (BlockingFramedConnection connection : open) {
            connection.close();
        }
        idle.clear();
    }

    boolean isClosed() {
        return closed;
    }

    /** The most recently used idle connection, or a new one; waits at most {@code connectTimeoutMs} to connect. */
    BlockingFramedConnection borrow(int connectTimeoutMs) throws IOException {
        BlockingFramedConnection reused;
        while ((reused = idle.pollFirst()) != null) {
            if (reused.isOpen()) {
                return reused;
            }
            open.remove(reused);
        }
        if (closed) {
            throw new IOException("channel to " + authority + " closed");
        }
        BlockingFramedConnection fresh = BlockingFramedConnection.connect(host, port, connectTimeoutMs);
        open.add(fresh);
        if (closed) {
            // close() ran while this one was being made: it did not see it
            fresh.close();
            open.remove(fresh);
            throw new IOException("channel to " + authority + " closed");
        }
        return fresh;
    }

    /** A connection whose call got its reply: kept for the next call, unless enough are idle already. */
    void giveBack(BlockingFramedConnection connection) {
        if (closed || !connection.isOpen()) {
            drop(connection);
            return;
        }
        idle.offerFirst(connection);
        if (idle.size() > MAX_IDLE) {
            BlockingFramedConnection extra = idle.pollLast();
            if (extra != null) {
                drop(extra);
            }
        }
        if (closed && idle.remove(connection)) {
            drop(connection); // close() ran meanwhile
        }
    }

    /**
     * A connection broke: the idle ones most likely went with it (the server restarted, or the
     * network between failed), so they are closed too rather than failing one call each.
     */
    void broken(BlockingFramedConnection connection) {
        drop(connection);
        BlockingFramedConnection stale;
        while ((stale = idle.pollFirst()) != null) {
            drop(stale);
        }
    }

    /** Closes a connection that failed or whose call ended without its reply. */
    void drop(BlockingFramedConnection connection) {
        connection.close();
        open.remove(connection);
    }

    /** Connections open now, idle or in a call. */
    int openConnections() {
        return open.size();
    }
}
