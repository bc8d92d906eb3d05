package org.mooseng.protocol.rpc;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What every framed client call does, whatever carries it: the request is marshalled on
 * {@link #sendMessage} and handed to {@link #send} on {@link #halfClose()}; the listener hears
 * of the end of the call once, through one task on {@code callbacks}: the reply, a failure,
 * the deadline, or a cancel (of the call or of its {@code Context}).
 */
abstract class UnaryClientCall<Q, R> extends ClientCall<Q, R> {
    final MethodDescriptor<Q, R> method;
    final CallOptions options;
    private final Executor callbacks;
    private final Context context = Context.current();
    private final Context.CancellationListener contextCancelled = c -> abort(Contexts.statusFromCancelled(c));
    private final AtomicBoolean finished = new AtomicBoolean();
    private Listener<R> listener;
    private Metadata requestHeaders;
    private ByteBuf payload;
    private Deadline deadline;

    UnaryClientCall(MethodDescriptor<Q, R> method, CallOptions options, Executor callbacks) {
        this.method = method;
        this.options = options;
        this.callbacks = callbacks;
    }

    /** Sends the request (its reference handed over); the reply comes to {@link #complete}, a failure to {@link #fail}. */
    abstract void send(ByteBuf request, long timeoutNanos, List<RpcFrame.Header> headers);

    /** The call ended before its reply (cancelled, deadline passed): stop waiting for it. */
    abstract void abandoned();

    /** Called from {@link #start} when the call has a deadline {@code leftNanos} away; false if it could not be watched. */
    boolean watchDeadline(long leftNanos) {
        return true;
    }

    /** Where the request's buffer comes from. */
    abstract ByteBufAllocator allocator();

    @Override
    public final void start(Listener<R> responseListener, Metadata headers) {
        if (listener != null) {
            throw new IllegalStateException("call already started");
        }
        listener = responseListener;
        requestHeaders = headers;
        deadline = earlier(options.getDeadline(), context.getDeadline());
        if (context.isCancelled()) {
            finish(Contexts.statusFromCancelled(context), null, null, null);
            return;
        }
        if (deadline != null) {
            long leftNanos = deadline.timeRemaining(TimeUnit.NANOSECONDS);
            if (leftNanos <= 0) {
                finish(Status.DEADLINE_EXCEEDED.withDescription("deadline passed before the call started"), null, null,
                        null);
                return;
            }
            if (!watchDeadline(leftNanos)) {
                return;
            }
        }
        context.addListener(contextCancelled, Runnable::run);
    }

    @Override
    public final void request(int numMessages) {
        // the one reply is delivered when it arrives
    }

    @Override
    public final void sendMessage(Q message) {
        if (finished.get()) {
            return; // cancelled or timed out already: nothing to send
        }
        if (payload != null) {
            throw new IllegalStateException(method.getFullMethodName() + ": a unary call sends one message");
        }
        payload = Payloads.write(method.streamRequest(message), allocator());
    }

    @Override
    public final void halfClose() {
        ByteBuf request = payload;
        payload = null;
        if (finished.get()) {
            release(request);
            return;
        }
        if (request == null) {
            fail(Status.INTERNAL.withDescription(method.getFullMethodName() + ": no request message"));
            return;
        }
        long timeoutNanos = deadline == null ? 0 : Math.max(1, deadline.timeRemaining(TimeUnit.NANOSECONDS));
        List<RpcFrame.Header> headers;
        try {
            headers = WireMetadata.toHeaders(requestHeaders);
        } catch (RuntimeException e) {
            request.release();
            fail(Status.INTERNAL.withDescription("cannot encode the request metadata").withCause(e));
            return;
        }
        send(request, timeoutNanos, headers);
    }

    @Override
    public final void cancel(String message, Throwable cause) {
        Status status = Status.CANCELLED.withDescription(message == null ? "call cancelled" : message);
        abort(cause == null ? status : status.withCause(cause));
    }

    @Override
    public final boolean isReady() {
        return !finished.get();
    }

    final boolean isFinished() {
        return finished.get();
    }

    /** The deadline of the call, from its options or its Context; null for none. */
    final Deadline deadline() {
        return deadline;
    }

    /** Ends the call before its reply: the caller gave up, or its deadline passed. */
    final void abort(Status status) {
        if (finish(status, null, null, null)) {
            abandoned();
        }
    }

    /** The reply arrived: parse it here, where its buffer is released. */
    final void complete(RpcFrame.Reply reply) {
        ByteBuf replyPayload = reply.payload();
        try {
            Status status = Status.fromCodeValue(reply.statusCode());
            if (!reply.description().isEmpty()) {
                status = status.withDescription(reply.description());
            }
            Metadata trailers = WireMetadata.toMetadata(reply.trailers());
            R message = null;
            if (status.isOk() && replyPayload != null) {
                message = method.parseResponse(Payloads.read(replyPayload));
            }
            // as on gRPC: a call that ends with its status alone (an error) has no headers
            Metadata headers = message != null || !reply.headers().isEmpty()
                    ? WireMetadata.toMetadata(reply.headers()) : null;
            finish(status, message, trailers, headers);
        } catch (RuntimeException e) {
            fail(Status.INTERNAL.withDescription("cannot parse the reply of " + method.getFullMethodName())
                    .withCause(e));
        } finally {
            release(replyPayload);
        }
    }

    /** The call failed without a reply: no connection, or it was lost. */
    final void fail(Status status) {
        finish(status, null, null, null);
    }

    /** Called once when the call ends, however it ends, before the listener hears of it. */
    void ended() {
    }

    /** Ends the call with {@code status} unless it has ended already; false then. */
    private boolean finish(Status status, R message, Metadata trailers, Metadata headers) {
        if (!finished.compareAndSet(false, true)) {
            return false;
        }
        ended();
        context.removeListener(contextCancelled);
        Metadata closingTrailers = trailers == null ? new Metadata() : trailers;
        Runnable deliver = () -> {
            if (headers != null) {
                listener.onHeaders(headers);
            }
            if (message != null) {
                listener.onMessage(message);
            }
            listener.onClose(status, closingTrailers);
        };
        try {
            callbacks.execute(deliver);
        } catch (RejectedExecutionException e) {
            deliver.run(); // the channel is closed and its threads gone: tell the caller anyway
        }
        return true;
    }

    static void release(ByteBuf buffer) {
        if (buffer != null) {
            buffer.release();
        }
    }

    private static Deadline earlier(Deadline a, Deadline b) {
        if (a == null) {
            return b;
        }
        return b == null ? a : a.minimum(b);
    }
}
