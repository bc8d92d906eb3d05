package org.mooseng.protocol.rpc;

import io.grpc.Attributes;
import io.grpc.Grpc;
import io.grpc.ServerMethodDefinition;
import io.grpc.Status;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.CorruptedFrameException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * One client connection of a {@link FramedServer}: checks the client's HELLO, starts a
 * {@link FramedServerCall} per request and routes cancels to it. Anything unexpected closes
 * the connection; the calls still open on it are cancelled.
 */
final class FramedServerConnection extends SimpleChannelInboundHandler<RpcFrame> {
    private final FramedServer server;
    private final Channel channel;
    private final Attributes attributes;
    /** Calls started and not yet closed or cancelled, by call id. */
    private final Map<Long, FramedServerCall<?, ?>> calls = new ConcurrentHashMap<>();
    private boolean greeted;

    FramedServerConnection(FramedServer server, Channel channel) {
        super(false); // payloads are released by the calls
        this.server = server;
        this.channel = channel;
        this.attributes = Attributes.newBuilder()
                .set(Grpc.TRANSPORT_ATTR_REMOTE_ADDR, channel.remoteAddress())
                .set(Grpc.TRANSPORT_ATTR_LOCAL_ADDR, channel.localAddress())
                .build();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        ctx.writeAndFlush(RpcFrame.Hello.CURRENT);
        super.channelActive(ctx);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, RpcFrame frame) {
        if (!greeted) {
            if (!(frame instanceof RpcFrame.Hello hello) || !hello.isCurrent()) {
                RpcFrameCodec.release(frame);
                throw new CorruptedFrameException("expected HELLO magic " + Integer.toHexString(RpcFrame.MAGIC)
                        + " version " + RpcFrame.VERSION + ", got " + describe(frame));
            }
            greeted = true;
            return;
        }
        switch (frame) {
            case RpcFrame.Request request -> start(request);
            case RpcFrame.Cancel cancel -> {
                FramedServerCall<?, ?> call = calls.get(cancel.callId());
                if (call != null) {
                    call.cancel(Status.CANCELLED.withDescription("cancelled by the client"));
                }
            }
            case RpcFrame.Hello hello -> throw new CorruptedFrameException("second HELLO");
            case RpcFrame.Reply reply -> {
                RpcFrameCodec.release(reply);
                throw new CorruptedFrameException("a client sent a REPLY");
            }
        }
    }

    private void start(RpcFrame.Request request) {
        ServerMethodDefinition<?, ?> method = server.method(request.method());
        if (method == null) {
            request.payload().release();
            channel.writeAndFlush(new RpcFrame.Reply(request.callId(), Status.Code.UNIMPLEMENTED.value(),
                    "method not found: " + request.method(), List.of(), List.of(), null));
            return;
        }
        FramedServerCall<?, ?> call = newCall(method, request.callId(), request.timeoutNanos());
        if (calls.putIfAbsent(request.callId(), call) != null) {
            request.payload().release();
            throw new CorruptedFrameException("call id " + request.callId() + " is already in use");
        }
        server.callStarted();
        call.start(request.headers(), request.payload());
    }

    private <Q, R> FramedServerCall<Q, R> newCall(ServerMethodDefinition<Q, R> method, long callId, long timeoutNanos) {
        Executor executor = server.executor();
        return new FramedServerCall<>(this, method, callId, timeoutNanos,
                executor == null ? channel.eventLoop() : new SerialExecutor(executor), executor == null);
    }

    Channel channel() {
        return channel;
    }

    Attributes attributes() {
        return attributes;
    }

    /** The call sent its reply or was cancelled: its id may be used again. */
    void forget(FramedServerCall<?, ?> call) {
        calls.remove(call.callId(), call);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        for (FramedServerCall<?, ?> call : calls.values()) {
            call.cancel(Status.UNAVAILABLE.withDescription("connection closed"));
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        server.warnDropped(channel.remoteAddress(), cause);
        ctx.close();
    }

    private static String describe(RpcFrame frame) {
        return switch (frame) {
            case RpcFrame.Hello h -> "HELLO magic " + Integer.toHexString(h.magic()) + " version " + h.version();
            case RpcFrame.Request r -> "REQUEST";
            case RpcFrame.Cancel c -> "CANCEL";
            case RpcFrame.Reply r -> "REPLY";
        };
    }
}
