package org.mooseng.protocol.rpc;

import io.grpc.Status;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.EncoderException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One connection of a {@link FramedChannel}: sends requests and completes the call registered
 * under each call id when its reply arrives. Any failure of the connection fails every call
 * pending on it with UNAVAILABLE, and the connection is never used again.
 */
final class FramedClientConnection extends SimpleChannelInboundHandler<RpcFrame> {
    private final String server;
    private final Channel channel;
    private final Map<Long, FramedClientCall<?, ?>> pending = new ConcurrentHashMap<>();
    private volatile Status failure;
    private boolean greeted;

    FramedClientConnection(String server, Channel channel) {
        super(false); // payloads are released by the calls
        this.server = server;
        this.channel = channel;
    }

    boolean isOpen() {
        return failure == null && channel.isActive();
    }

    /** Sends our HELLO; called once connected, before the connection is handed to any call. */
    void greet() {
        channel.writeAndFlush(RpcFrame.Hello.CURRENT);
    }

    /** Sends the call's request under {@code callId}; the payload is handed over. */
    void send(FramedClientCall<?, ?> call, long callId, RpcFrame.Request request) {
        pending.put(callId, call);
        Status failed = failure;
        if (failed != null || call.isFinished()) {
            pending.remove(callId, call);
            request.payload().release();
            if (failed != null) {
                call.fail(failed);
            }
            return;
        }
        channel.writeAndFlush(request).addListener(written -> {
            if (written.isSuccess()) {
                return;
            }
            if (written.cause() instanceof EncoderException e) {
                // this request could not be encoded (too large): only its call fails
                pending.remove(callId, call);
                call.fail(Status.INTERNAL.withDescription("cannot send the request: " + e.getMessage()).withCause(e));
            } else {
                fail(Status.UNAVAILABLE.withDescription("cannot send to " + server).withCause(written.cause()));
            }
        });
    }

    /** The caller gave up: drop the call and tell the server, if the request went out. */
    void cancel(long callId, FramedClientCall<?, ?> call) {
        if (pending.remove(callId, call) && isOpen()) {
            channel.writeAndFlush(new RpcFrame.Cancel(callId));
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, RpcFrame frame) {
        if (!greeted) {
            if (!(frame instanceof RpcFrame.Hello hello) || !hello.isCurrent()) {
                RpcFrameCodec.release(frame);
                throw new CorruptedFrameException(server + " does not speak this protocol (no HELLO of version "
                        + RpcFrame.VERSION + ")");
            }
            greeted = true;
            return;
        }
        switch (frame) {
            case RpcFrame.Reply reply -> {
                FramedClientCall<?, ?> call = pending.remove(reply.callId());
                if (call != null) {
                    call.complete(reply);
                } else if (reply.payload() != null) {
                    reply.payload().release(); // the call was cancelled or timed out
                }
            }
            case RpcFrame.Hello hello -> throw new CorruptedFrameException("second HELLO from " + server);
            case RpcFrame.Request request -> {
                request.payload().release();
                throw new CorruptedFrameException(server + " sent a REQUEST");
            }
            case RpcFrame.Cancel cancel -> throw new CorruptedFrameException(server + " sent a CANCEL");
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail(Status.UNAVAILABLE.withDescription("connection to " + server + " lost"));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(Status.UNAVAILABLE.withDescription("connection to " + server + " failed: " + cause.getMessage())
                .withCause(cause));
    }

    void close(Status why) {
        fail(why);
    }

    private void fail(Status why) {
        if (failure == null) {
            failure = why;
        }
        channel.close();
        for (Long callId : List.copyOf(pending.keySet())) {
            FramedClientCall<?, ?> call = pending.remove(callId);
            if (call != null) {
                call.fail(failure);
            }
        }
    }

    static void release(ByteBuf payload) {
        if (payload != null) {
            payload.release();
        }
    }
}
