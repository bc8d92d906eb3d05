package org.mooseng.protocol.rpc;

import io.grpc.Attributes;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerMethodDefinition;
import io.grpc.Status;
import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of one unary call: hands the request to the method's handler and writes
 * the reply frame when the handler closes the call. Every listener callback runs in order on
 * {@code callbacks} (the event loop, or a serial view of the server's executor) inside the
 * call's own {@link Context}, which is cancelled when the call ends and carries the caller's
 * deadline.
 */
final class FramedServerCall<Q, R> extends ServerCall<Q, R> {
    private static final Logger LOG = LoggerFactory.getLogger(FramedServerCall.class);
    private static final int OPEN = 0;
    private static final int REPLIED = 1;
    private static final int CANCELLED = 2;

    private final FramedServerConnection connection;
    private final ServerMethodDefinition<Q, R> definition;
    private final long callId;
    private final Executor callbacks;
    /** The first callbacks may run in the caller (the event loop) rather than be queued behind it. */
    private final boolean startInline;
    private final Context.CancellableContext context;
    private final AtomicInteger state = new AtomicInteger(OPEN);
    /** Written by the handler, read when it closes the call (one thread at a time, by gRPC's rules). */
    private List<RpcFrame.Header> headers = List.of();
    private ByteBuf response;
    private boolean closeCalled;
    /** Touched only on {@code callbacks}. */
    private Listener<Q> listener;

    FramedServerCall(FramedServerConnection connection, ServerMethodDefinition<Q, R> definition, long callId,
                     long timeoutNanos, Executor callbacks, boolean startInline) {
        this.connection = connection;
        this.definition = definition;
        this.callId = callId;
        this.callbacks = callbacks;
        this.startInline = startInline;
        this.context = timeoutNanos > 0
                ? Context.ROOT.withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS, connection.channel().eventLoop())
                : Context.ROOT.withCancellation();
    }

    long callId() {
        return callId;
    }

    /** Parses the request (here, so the frame's buffer is released at once) and runs the handler. */
    void start(List<RpcFrame.Header> requestHeaders, ByteBuf payload) {
        Metadata metadata;
        Q request;
        try {
            metadata = WireMetadata.toMetadata(requestHeaders);
            request = definition.getMethodDescriptor().parseRequest(Payloads.read(payload));
        } catch (RuntimeException e) {
            LOG.debug("call {} of {}: bad request", callId, definition.getMethodDescriptor().getFullMethodName(), e);
            close(Status.INTERNAL.withDescription("cannot parse the request: " + e.getMessage()), new Metadata());
            return;
        } finally {
            payload.release();
        }
        // A deadline that passes cancels the call, as one the client cancels.
        context.addListener(c -> cancel(Status.DEADLINE_EXCEEDED.withDescription("deadline passed on the server")),
                Runnable::run);
        Runnable begin = () -> inContext(() -> {
            listener = definition.getServerCallHandler().startCall(this, metadata);
            listener.onReady();
            listener.onMessage(request);
            listener.onHalfClose();
        });
        if (startInline) {
            begin.run();
        } else {
            callbacks.execute(begin);
        }
    }

    @Override
    public void request(int numMessages) {
        // unary: the one request is delivered on start
    }

    @Override
    public void sendHeaders(Metadata headers) {
        this.headers = WireMetadata.toHeaders(headers);
    }

    @Override
    public void sendMessage(R message) {
        if (closeCalled) {
            throw new IllegalStateException("call " + callId + " is closed");
        }
        if (response != null) {
            throw new IllegalStateException("call " + callId + ": a unary call sends one message");
        }
        response = Payloads.write(definition.getMethodDescriptor().streamResponse(message),
                connection.channel().alloc());
    }

    @Override
    public void close(Status status, Metadata trailers) {
        if (closeCalled) {
            throw new IllegalStateException("call " + callId + " is already closed");
        }
        closeCalled = true;
        ByteBuf payload = response;
        response = null;
        if (!state.compareAndSet(OPEN, REPLIED)) {
            release(payload); // cancelled: nobody waits for the reply
            return;
        }
        if (!status.isOk()) {
            release(payload);
            payload = null;
        }
        connection.forget(this);
        RpcFrame.Reply reply = new RpcFrame.Reply(callId, status.getCode().value(), status.getDescription(), headers,
                WireMetadata.toHeaders(trailers), payload);
        connection.channel().writeAndFlush(reply).addListener(written -> {
            boolean sent = written.isSuccess();
            callbacks.execute(() -> inContext(() -> {
                if (listener != null) {
                    if (sent) {
                        listener.onComplete();
                    } else {
                        listener.onCancel();
                    }
                }
            }));
            context.cancel(null);
        });
    }

    /** Ends the call without a reply (the client cancelled, the connection dropped, the deadline passed). */
    void cancel(Status why) {
        if (!state.compareAndSet(OPEN, CANCELLED)) {
            return;
        }
        LOG.debug("call {} of {}: {}", callId, definition.getMethodDescriptor().getFullMethodName(), why);
        connection.forget(this);
        callbacks.execute(() -> inContext(() -> {
            if (listener != null) {
                listener.onCancel();
            }
        }));
        context.cancel(why.asRuntimeException());
    }

    @Override
    public boolean isCancelled() {
        return state.get() == CANCELLED;
    }

    @Override
    public boolean isReady() {
        return connection.channel().isWritable();
    }

    @Override
    public Attributes getAttributes() {
        return connection.attributes();
    }

    @Override
    public String getAuthority() {
        return null;
    }

    @Override
    public MethodDescriptor<Q, R> getMethodDescriptor() {
        return definition.getMethodDescriptor();
    }

    /** Runs a listener callback inside the call's context; a handler that throws fails the call. */
    private void inContext(Runnable callback) {
        Context previous = context.attach();
        try {
            callback.run();
        } catch (RuntimeException e) {
            LOG.warn("call {} of {}: handler failed", callId, definition.getMethodDescriptor().getFullMethodName(), e);
            if (!closeCalled) {
                close(Status.UNKNOWN.withDescription("handler failed: " + e), new Metadata());
            }
        } finally {
            context.detach(previous);
        }
    }

    private static void release(ByteBuf payload) {
        if (payload != null) {
            payload.release();
        }
    }
}
