package org.mooseng.protocol.data;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.MessageToMessageCodec;
import java.util.List;

/**
 * Netty adapter between the byte stream and {@link DataFrame}s, used by both ends of the
 * data plane. Install it with {@link #install(ChannelPipeline)}, which puts the length-field
 * framer in front of it. Decoded frames that carry bytes hold a retained buffer the next
 * handler must release; an encoded frame's buffer is handed over to the channel.
 */
public final class DataFrameChannelCodec extends MessageToMessageCodec<ByteBuf, DataFrame> {

    /** Adds the framer and this codec at the head of the pipeline. */
    public static void install(ChannelPipeline pipeline) {
        pipeline.addLast("frameDecoder", DataFrameCodec.newFrameDecoder());
        pipeline.addLast("frameCodec", new DataFrameChannelCodec());
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, DataFrame frame, List<Object> out) {
        try {
            out.add(DataFrameCodec.encode(frame, ctx.alloc()));
        } catch (RuntimeException e) {
            release(frame);
            throw e;
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frameBytes, List<Object> out) {
        out.add(DataFrameCodec.decode(frameBytes));
    }

    /** Releases the byte payload of a frame, if it has one; safe to call on any frame. */
    public static void release(DataFrame frame) {
        switch (frame) {
            case DataFrame.Write w -> w.data().release();
            case DataFrame.Data d -> d.data().release();
            case DataFrame.Hello h -> { }
            case DataFrame.Read r -> { }
            case DataFrame.Truncate t -> { }
            case DataFrame.Sync s -> { }
            case DataFrame.Ok o -> { }
            case DataFrame.Error e -> { }
        }
    }
}
