package org.mooseng.protocol.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.MessageToMessageCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Netty adapter between the byte stream and {@link RpcFrame}s, used by both ends. Malformed
 * input raises a {@link io.netty.handler.codec.DecoderException} (from here or from the
 * length framer), which the handlers answer by closing the connection.
 */
final class RpcFrameCodec extends MessageToMessageCodec<ByteBuf, RpcFrame> {
    /** A payload up to this size is copied behind its header: one buffer written instead of two. */
    private static final int COPY_PAYLOAD_BYTES = 4096;
    /** Descriptions are for people; a longer one is cut, so it always fits its 16-bit length. */
    private static final int MAX_DESCRIPTION_CHARS = 16_384;
    private static final int MAX_HEADERS = 1024;

    /** Adds the length framer and this codec at the end of the pipeline. */
    static void install(ChannelPipeline pipeline) {
        pipeline.addLast("rpcFramer", new LengthFieldBasedFrameDecoder(RpcFrame.MAX_FRAME_BYTES, 0, 4, 0, 4));
        pipeline.addLast("rpcCodec", new RpcFrameCodec());
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, RpcFrame frame, List<Object> out) {
        encode(frame, ctx.alloc(), out);
    }

    /**
     * Adds the frame's bytes, length field first, to {@code out}: one buffer, or two when the
     * payload is large (header, then the payload itself). The payload's reference is handed over.
     */
    static void encode(RpcFrame frame, ByteBufAllocator alloc, List<Object> out) {
        ByteBuf payload = payloadOf(frame);
        ByteBuf header;
        try {
            header = alloc.buffer(128);
            header.writeInt(0); // length, patched below
            switch (frame) {
                case RpcFrame.Hello h -> header.writeByte(RpcFrame.TYPE_HELLO).writeInt(h.magic()).writeByte(h.version());
                case RpcFrame.Request r -> {
                    header.writeByte(RpcFrame.TYPE_REQUEST).writeLong(r.callId()).writeLong(r.timeoutNanos());
                    writeShortString(header, r.method());
                    writeHeaders(header, r.headers());
                }
                case RpcFrame.Cancel c -> header.writeByte(RpcFrame.TYPE_CANCEL).writeLong(c.callId());
                case RpcFrame.Reply r -> {
                    header.writeByte(RpcFrame.TYPE_REPLY).writeLong(r.callId()).writeByte(r.statusCode());
                    String description = r.description() == null ? "" : r.description();
                    writeShortString(header, description.length() > MAX_DESCRIPTION_CHARS
                            ? description.substring(0, MAX_DESCRIPTION_CHARS) : description);
                    writeHeaders(header, r.headers());
                    writeHeaders(header, r.trailers());
                    header.writeByte(r.payload() == null ? 0 : 1);
                }
            }
        } catch (RuntimeException e) {
            if (payload != null) {
                payload.release();
            }
            throw e;
        }
        int payloadBytes = payload == null ? 0 : payload.readableBytes();
        long length = header.readableBytes() - 4L + payloadBytes;
        if (length > RpcFrame.MAX_FRAME_BYTES) {
            header.release();
            payload.release();
            throw new IllegalArgumentException("frame of " + length + " bytes exceeds " + RpcFrame.MAX_FRAME_BYTES);
        }
        header.setInt(0, (int) length);
        if (payload != null && payloadBytes <= COPY_PAYLOAD_BYTES) {
            header.writeBytes(payload);
            payload.release();
            payload = null;
        }
        out.add(header);
        if (payload != null) {
            out.add(payload);
        }
    }

    private static ByteBuf payloadOf(RpcFrame frame) {
        return switch (frame) {
            case RpcFrame.Request r -> r.payload();
            case RpcFrame.Reply r -> r.payload();
            case RpcFrame.Hello h -> null;
            case RpcFrame.Cancel c -> null;
        };
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        out.add(decode(in));
    }

    /**
     * The frame in {@code in}, which holds exactly one frame without its length field. A payload
     * in the frame is a retained slice of {@code in}.
     */
    static RpcFrame decode(ByteBuf in) {
        byte type = in.readByte();
        try {
            return decode(type, in);
        } catch (IndexOutOfBoundsException e) {
            throw new CorruptedFrameException("frame of type " + type + " ends inside a field", e);
        }
    }

    private static RpcFrame decode(byte type, ByteBuf in) {
        RpcFrame frame = switch (type) {
            case RpcFrame.TYPE_HELLO -> new RpcFrame.Hello(in.readInt(), in.readByte());
            case RpcFrame.TYPE_REQUEST -> {
                long callId = in.readLong();
                long timeoutNanos = in.readLong();
                String method = readShortString(in);
                List<RpcFrame.Header> headers = readHeaders(in);
                if (timeoutNanos < 0) {
                    throw new CorruptedFrameException("call " + callId + ": negative timeout " + timeoutNanos);
                }
                yield new RpcFrame.Request(callId, method, timeoutNanos, headers, in.readRetainedSlice(in.readableBytes()));
            }
            case RpcFrame.TYPE_CANCEL -> new RpcFrame.Cancel(in.readLong());
            case RpcFrame.TYPE_REPLY -> {
                long callId = in.readLong();
                int statusCode = in.readUnsignedByte();
                String description = readShortString(in);
                List<RpcFrame.Header> headers = readHeaders(in);
                List<RpcFrame.Header> trailers = readHeaders(in);
                ByteBuf payload = switch (in.readByte()) {
                    case 0 -> null;
                    case 1 -> in.readRetainedSlice(in.readableBytes());
                    default -> throw new CorruptedFrameException("call " + callId + ": bad payload flag");
                };
                yield new RpcFrame.Reply(callId, statusCode, description, headers, trailers, payload);
            }
            default -> throw new CorruptedFrameException("unknown frame type " + type);
        };
        if (in.isReadable()) {
            release(frame);
            throw new CorruptedFrameException("frame of type " + type + " has " + in.readableBytes() + " extra bytes");
        }
        return frame;
    }

    /** Releases the payload of a frame, if it has one; safe to call on any frame. */
    static void release(RpcFrame frame) {
        ByteBuf payload = payloadOf(frame);
        if (payload != null) {
            payload.release();
        }
    }

    private static void writeShortString(ByteBuf out, String value) {
        int lengthAt = out.writerIndex();
        out.writeShort(0);
        int bytes = out.writeCharSequence(value, StandardCharsets.UTF_8);
        if (bytes > 0xFFFF) {
            throw new IllegalArgumentException("string of " + bytes + " bytes does not fit a frame field");
        }
        out.setShort(lengthAt, bytes);
    }

    private static String readShortString(ByteBuf in) {
        int length = in.readUnsignedShort();
        return in.readCharSequence(length, StandardCharsets.UTF_8).toString();
    }

    private static void writeHeaders(ByteBuf out, List<RpcFrame.Header> headers) {
        if (headers.size() > MAX_HEADERS) {
            throw new IllegalArgumentException(headers.size() + " metadata entries, at most " + MAX_HEADERS);
        }
        out.writeShort(headers.size());
        for (RpcFrame.Header header : headers) {
            writeShortString(out, header.key());
            out.writeInt(header.value().length).writeBytes(header.value());
        }
    }

    private static List<RpcFrame.Header> readHeaders(ByteBuf in) {
        int count = in.readUnsignedShort();
        if (count == 0) {
            return List.of();
        }
        if (count > MAX_HEADERS) {
            throw new CorruptedFrameException(count + " metadata entries, at most " + MAX_HEADERS);
        }
        List<RpcFrame.Header> headers = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String key = in.readCharSequence(in.readUnsignedShort(), StandardCharsets.US_ASCII).toString();
            int length = in.readInt();
            if (length < 0 || length > in.readableBytes()) {
                throw new CorruptedFrameException("metadata " + key + ": value of " + length + " bytes, "
                        + in.readableBytes() + " left in the frame");
            }
            byte[] value = new byte[length];
            in.readBytes(value);
            headers.add(new RpcFrame.Header(key, value));
        }
        return headers;
    }
}
