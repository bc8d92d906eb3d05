package org.mooseng.protocol.rpc;

import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One unary call on a {@link FramedChannel}: the request goes to the channel's connection,
 * whose I/O thread hands the reply back; the deadline is a timer on that thread, and a call
 * that ends before its reply is cancelled on the server with a CANCEL frame.
 */
final class FramedClientCall<Q, R> extends UnaryClientCall<Q, R> {
    private final FramedChannel channel;
    private volatile ScheduledFuture<?> deadlineTimer;
    /** Set, in this order, once the request is handed to a connection; read to send a cancel. */
    private volatile long callId;
    private volatile FramedClientConnection connection;

    FramedClientCall(FramedChannel channel, MethodDescriptor<Q, R> method, CallOptions options, Executor callbacks) {
        super(method, options, callbacks);
        this.channel = channel;
    }

    @Override
    boolean watchDeadline(long leftNanos) {
        try {
            deadlineTimer = channel.scheduler().schedule(() -> abort(Status.DEADLINE_EXCEEDED
                    .withDescription("no reply from " + channel.authority() + " within " + leftNanos / 1000 + " us")),
                    leftNanos, TimeUnit.NANOSECONDS);
            return true;
        } catch (RejectedExecutionException e) {
            fail(Status.UNAVAILABLE.withDescription("channel to " + channel.authority() + " closed"));
            return false;
        }
    }

    @Override
    ByteBufAllocator allocator() {
        return channel.allocator();
    }

    @Override
    void send(ByteBuf request, long timeoutNanos, List<RpcFrame.Header> headers) {
        channel.connection().whenComplete((target, failure) -> {
            if (failure != null) {
                request.release();
                fail(FramedChannel.unavailable(failure));
                return;
            }
            long id = channel.nextCallId();
            callId = id;
            connection = target;
            target.send(this, id, new RpcFrame.Request(id, method.getFullMethodName(), timeoutNanos, headers, request));
        });
    }

    @Override
    void abandoned() {
        FramedClientConnection target = connection;
        if (target != null) {
            target.cancel(callId, this);
        }
    }

    @Override
    void ended() {
        ScheduledFuture<?> timer = deadlineTimer;
        if (timer != null) {
            timer.cancel(false);
        }
    }
}
