package org.mooseng.protocol.rpc;

import io.grpc.CallOptions;
import io.grpc.Deadline;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.DecoderException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One unary call on a {@link BlockingFramedChannel}: {@link #halfClose()} borrows a
 * connection and does the exchange on the calling thread (or, for a caller that named no
 * executor, on a virtual thread). The deadline bounds the connect and the wait for the reply;
 * a cancel from another thread closes the connection under the waiting call.
 */
final class BlockingFramedCall<Q, R> extends UnaryClientCall<Q, R> {
    private static final int CONNECT_TIMEOUT_MS = 5_000;

    private final BlockingFramedChannel channel;
    private final boolean onOwnThread;
    /** The connection while the exchange runs on it; whoever takes it out (the exchange, or an abort) owns it. */
    private final AtomicReference<BlockingFramedConnection> inUse = new AtomicReference<>();

    BlockingFramedCall(BlockingFramedChannel channel, MethodDescriptor<Q, R> method, CallOptions options,
                       Executor callbacks, boolean onOwnThread) {
        super(method, options, callbacks);
        this.channel = channel;
        this.onOwnThread = onOwnThread;
    }

    @Override
    ByteBufAllocator allocator() {
        return BlockingFramedConnection.HEAP;
    }

    @Override
    void send(ByteBuf request, long timeoutNanos, List<RpcFrame.Header> headers) {
        if (onOwnThread) {
            Thread.ofVirtual().name("framed-call").start(() -> exchange(request, timeoutNanos, headers));
        } else {
            exchange(request, timeoutNanos, headers);
        }
    }

    private void exchange(ByteBuf request, long timeoutNanos, List<RpcFrame.Header> headers) {
        Deadline deadline = deadline();
        long deadlineNanos = deadline == null ? Long.MAX_VALUE
                : System.nanoTime() + deadline.timeRemaining(TimeUnit.NANOSECONDS);
        BlockingFramedConnection connection;
        try {
            int connectMs = deadline == null ? CONNECT_TIMEOUT_MS
                    : (int) Math.clamp(deadline.timeRemaining(TimeUnit.MILLISECONDS), 1, CONNECT_TIMEOUT_MS);
            connection = channel.connections().borrow(() -> channel.connect(connectMs));
        } catch (IOException e) {
            request.release();
            fail(Status.UNAVAILABLE.withDescription("cannot connect to " + channel.authority() + ": " + e.getMessage())
                    .withCause(e));
            return;
        }
        inUse.set(connection);
        if (isFinished()) {
            // aborted before the connection was in place: the abort did not see it
            release(request);
            if (inUse.compareAndSet(connection, null)) {
                channel.connections().giveBack(connection);
            }
            return;
        }
        RpcFrame.Reply reply;
        try {
            reply = connection.exchange(method.getFullMethodName(), timeoutNanos, headers, request, deadlineNanos);
        } catch (SocketTimeoutException e) {
            inUse.compareAndSet(connection, null);
            channel.connections().drop(connection);
            abort(Status.DEADLINE_EXCEEDED.withDescription("no reply from " + channel.authority() + " within "
                    + timeoutNanos / 1000 + " us"));
            return;
        } catch (IOException | DecoderException e) {
            if (inUse.compareAndSet(connection, null)) {
                channel.connections().broken(connection);
            } // else aborted: the abort closed it
            fail(Status.UNAVAILABLE.withDescription(channel.isClosed() ? "channel to " + channel.authority() + " closed"
                    : "connection to " + channel.authority() + " failed: " + e.getMessage()).withCause(e));
            return;
        }
        if (inUse.compareAndSet(connection, null)) {
            channel.connections().giveBack(connection);
        }
        complete(reply);
    }

    @Override
    void abandoned() {
        BlockingFramedConnection connection = inUse.getAndSet(null);
        if (connection != null) {
            channel.connections().drop(connection); // the waiting exchange fails, and the server cancels the call
        }
    }
}
