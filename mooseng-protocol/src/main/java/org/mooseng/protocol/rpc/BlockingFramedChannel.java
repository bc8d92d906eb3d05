package org.mooseng.protocol.rpc;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.MethodDescriptor;
import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.Executor;
import org.mooseng.protocol.IdleConnections;

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
    private final IdleConnections<BlockingFramedConnection> connections;

    public BlockingFramedChannel(String host, int port) {
        this.host = Objects.requireNonNull(host, "host");
        this.port = port;
        this.authority = host + ":" + port;
        this.connections = new IdleConnections<>(MAX_IDLE, "channel to " + authority + " closed");
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
        connections.close();
    }

    boolean isClosed() {
        return connections.isClosed();
    }

    /** The connections calls borrow, one call at a time each. */
    IdleConnections<BlockingFramedConnection> connections() {
        return connections;
    }

    /** A new connection; waits at most {@code connectTimeoutMs} to connect. */
    BlockingFramedConnection connect(int connectTimeoutMs) throws IOException {
        return BlockingFramedConnection.connect(host, port, connectTimeoutMs);
    }

    /** Connections open now, idle or in a call. */
    int openConnections() {
        return connections.openCount();
    }
}
