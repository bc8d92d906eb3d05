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
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The client side of one unary call on a {@link FramedChannel}: the request goes out on
 * {@link #halfClose()}, and the listener hears of the end of the call once, through one task
 * on {@code callbacks}: the reply, a failure of the connection, the deadline, or a cancel.
 */
final class FramedClientCall<Q, R> extends ClientCall<Q, R> {
    private final FramedChannel channel;
    private final MethodDescriptor<Q, R> method;
    private final CallOptions options;
    private final Executor callbacks;
    private final Context context = Context.current();
    private final Context.CancellationListener contextCancelled = c -> cancelOnServer(Contexts.statusFromCancelled(c));
    private final AtomicBoolean finished = new AtomicBoolean();
    private Listener<R> listener;
    private Metadata requestHeaders;
    private ByteBuf payload;
    private Deadline deadline;
    private volatile ScheduledFuture<?> deadlineTimer;
    /** Set, in this order, once the request is handed to a connection; read to send a cancel. */
    private volatile long callId;
    private volatile FramedClientConnection connection;

    FramedClientCall(FramedChannel channel, MethodDescriptor<Q, R> method, CallOptions options, Executor callbacks) {
        this.channel = channel;
        this.method = method;
        this.options = options;
        this.callbacks = callbacks;
    }

    @Override
    public void start(Listener<R> responseListener, Metadata headers) {
        if (listener != null) {
            throw new IllegalStateException("call already started");
        }
        listener = responseListener;
        requestHeaders = headers;
        deadline = earlier(options.getDeadline(), context.getDeadline());
        if (context.isCancelled()) {
            finish(Contexts.statusFromCancelled(context), null, null);
            return;
        }
        if (deadline != null) {
            long leftNanos = deadline.timeRemaining(TimeUnit.NANOSECONDS);
            if (leftNanos <= 0) {
                finish(Status.DEADLINE_EXCEEDED.withDescription("deadline passed before the call started"), null, null);
                return;
            }
            try {
                deadlineTimer = channel.scheduler().schedule(() -> cancelOnServer(Status.DEADLINE_EXCEEDED
                        .withDescription("no reply from " + channel.authority() + " within " + leftNanos / 1000 + " us")),
                        leftNanos, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                finish(Status.UNAVAILABLE.withDescription("channel to " + channel.authority() + " closed"), null, null);
                return;
            }
        }
        context.addListener(contextCancelled, Runnable::run);
    }

    @Override
    public void request(int numMessages) {
        // the one reply is delivered when it arrives
    }

    @Override
    public void sendMessage(Q message) {
        if (finished.get()) {
            return; // cancelled or timed out already: nothing to send
        }
        if (payload != null) {
            throw new IllegalStateException(method.getFullMethodName() + ": a unary call sends one message");
        }
        payload = Payloads.write(method.streamRequest(message), channel.allocator());
    }

    @Override
    public void halfClose() {
        ByteBuf request = payload;
        payload = null;
        if (finished.get()) {
            FramedClientConnection.release(request);
            return;
        }
        if (request == null) {
            finish(Status.INTERNAL.withDescription(method.getFullMethodName() + ": no request message"), null, null);
            return;
        }
        long timeoutNanos = deadline == null ? 0 : Math.max(1, deadline.timeRemaining(TimeUnit.NANOSECONDS));
        List<RpcFrame.Header> headers;
        try {
            headers = WireMetadata.toHeaders(requestHeaders);
        } catch (RuntimeException e) {
            request.release();
            finish(Status.INTERNAL.withDescription("cannot encode the request metadata").withCause(e), null, null);
            return;
        }
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
    public void cancel(String message, Throwable cause) {
        Status status = Status.CANCELLED.withDescription(message == null ? "call cancelled" : message);
        cancelOnServer(cause == null ? status : status.withCause(cause));
    }

    @Override
    public boolean isReady() {
        return !finished.get();
    }

    boolean isFinished() {
        return finished.get();
    }

    /** The reply arrived (on the event loop): parse it here, where its buffer is released. */
    void complete(RpcFrame.Reply reply) {
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
            finish(Status.INTERNAL.withDescription("cannot parse the reply of " + method.getFullMethodName())
                    .withCause(e), null, null);
        } finally {
            FramedClientConnection.release(replyPayload);
        }
    }

    /** The connection failed, or could not be made. */
    void fail(Status status) {
        finish(status, null, null);
    }

    private void cancelOnServer(Status status) {
        if (finish(status, null, null)) {
            FramedClientConnection target = connection;
            if (target != null) {
                target.cancel(callId, this);
            }
        }
    }

    private boolean finish(Status status, R message, Metadata trailers) {
        return finish(status, message, trailers, null);
    }

    private boolean finish(Status status, R message, Metadata trailers, Metadata headers) {
        if (!finished.compareAndSet(false, true)) {
            return false;
        }
        ScheduledFuture<?> timer = deadlineTimer;
        if (timer != null) {
            timer.cancel(false);
        }
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
            deliver.run(); // the channel is closed and its event loop gone: tell the caller anyway
        }
        return true;
    }

    private static Deadline earlier(Deadline a, Deadline b) {
        if (a == null) {
            return b;
        }
        return b == null ? a : a.minimum(b);
    }
}
