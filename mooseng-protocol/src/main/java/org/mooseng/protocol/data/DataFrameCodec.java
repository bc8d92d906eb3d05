package org.mooseng.protocol.data;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Encodes and decodes {@link DataFrame}s; the layout is documented on {@link DataFrame}. */
public final class DataFrameCodec {
    private static final int MAX_CHAIN = 16;
    private static final int MAX_STRING_BYTES = 4096;

    private DataFrameCodec() {
    }

    /** A Netty decoder that cuts the stream into frames (strips the length field). */
    public static LengthFieldBasedFrameDecoder newFrameDecoder() {
        return new LengthFieldBasedFrameDecoder(DataFrame.MAX_FRAME_BYTES, 0, 4, 0, 4);
    }

    /**
     * Encodes a frame including its length prefix. Data payloads are not copied: the result
     * is a composite that takes over the frame's data buffer reference.
     */
    public static ByteBuf encode(DataFrame frame, ByteBufAllocator alloc) {
        ByteBuf header = alloc.buffer(64);
        header.writeInt(0); // length, patched below
        ByteBuf payload = null;
        switch (frame) {
            case DataFrame.Hello h -> {
                header.writeByte(DataFrame.TYPE_HELLO).writeLong(h.requestId());
                writeString(header, h.clusterId());
            }
            case DataFrame.Read r -> {
                header.writeByte(DataFrame.TYPE_READ).writeLong(r.requestId());
                header.writeLong(r.chunkId()).writeInt(r.version()).writeInt(r.oldestVersion()).writeInt(r.offset())
                        .writeInt(r.length());
            }
            case DataFrame.Write w -> {
                header.writeByte(DataFrame.TYPE_WRITE).writeLong(w.requestId());
                header.writeLong(w.chunkId()).writeInt(w.version()).writeInt(w.previousVersion()).writeInt(w.offset());
                writeChain(header, w.chain());
                header.writeInt(w.crc32c()).writeInt(w.data().readableBytes());
                payload = w.data();
            }
            case DataFrame.Truncate t -> {
                header.writeByte(DataFrame.TYPE_TRUNCATE).writeLong(t.requestId());
                header.writeLong(t.chunkId()).writeInt(t.version()).writeInt(t.previousVersion()).writeInt(t.length());
                writeChain(header, t.chain());
            }
            case DataFrame.Sync y -> {
                header.writeByte(DataFrame.TYPE_SYNC).writeLong(y.requestId());
                header.writeLong(y.chunkId()).writeInt(y.version()).writeInt(y.previousVersion());
                writeChain(header, y.chain());
            }
            case DataFrame.Ok o -> header.writeByte(o.durable() ? DataFrame.TYPE_OK_DURABLE : DataFrame.TYPE_OK)
                    .writeLong(o.requestId());
            case DataFrame.Data d -> {
                header.writeByte(DataFrame.TYPE_DATA).writeLong(d.requestId());
                header.writeInt(d.crc32c()).writeInt(d.data().readableBytes());
                payload = d.data();
            }
            case DataFrame.Error e -> {
                header.writeByte(DataFrame.TYPE_ERROR).writeLong(e.requestId());
                header.writeInt(e.status());
                writeString(header, e.message());
                writeString(header, e.failedServer());
            }
        }
        int length = header.readableBytes() - 4 + (payload == null ? 0 : payload.readableBytes());
        header.setInt(0, length);
        if (payload == null) {
            return header;
        }
        CompositeByteBuf out = alloc.compositeBuffer(2);
        out.addComponents(true, header, payload);
        return out;
    }

    /**
     * Decodes one frame whose length prefix has been stripped. Byte payloads are retained
     * slices of {@code in}. Malformed input throws {@link IllegalArgumentException}.
     */
    public static DataFrame decode(ByteBuf in) {
        try {
            byte type = in.readByte();
            long requestId = in.readLong();
            DataFrame frame = switch (type) {
                case DataFrame.TYPE_HELLO -> new DataFrame.Hello(requestId, readString(in));
                case DataFrame.TYPE_READ -> new DataFrame.Read(requestId, in.readLong(), in.readInt(), in.readInt(),
                        in.readInt(), in.readInt());
                case DataFrame.TYPE_WRITE -> {
                    long chunkId = in.readLong();
                    int version = in.readInt();
                    int previous = in.readInt();
                    int offset = in.readInt();
                    List<DataFrame.Address> chain = readChain(in);
                    int crc = in.readInt();
                    ByteBuf data = readData(in);
                    yield new DataFrame.Write(requestId, chunkId, version, previous, offset, chain, crc, data);
                }
                case DataFrame.TYPE_TRUNCATE -> new DataFrame.Truncate(requestId, in.readLong(), in.readInt(),
                        in.readInt(), in.readInt(), readChain(in));
                case DataFrame.TYPE_SYNC -> new DataFrame.Sync(requestId, in.readLong(), in.readInt(), in.readInt(),
                        readChain(in));
                case DataFrame.TYPE_OK -> new DataFrame.Ok(requestId);
                case DataFrame.TYPE_OK_DURABLE -> new DataFrame.Ok(requestId, true);
                case DataFrame.TYPE_DATA -> {
                    int crc = in.readInt();
                    yield new DataFrame.Data(requestId, crc, readData(in));
                }
                case DataFrame.TYPE_ERROR -> new DataFrame.Error(requestId, in.readInt(), readString(in), readString(in));
                default -> throw new IllegalArgumentException("unknown data frame type " + type);
            };
            if (in.isReadable()) {
                if (frame instanceof DataFrame.Write w) {
                    w.data().release();
                } else if (frame instanceof DataFrame.Data d) {
                    d.data().release();
                }
                throw new IllegalArgumentException("data frame type " + type + ": " + in.readableBytes()
                        + " trailing bytes");
            }
            return frame;
        } catch (IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("truncated data frame", e);
        }
    }

    private static ByteBuf readData(ByteBuf in) {
        int length = in.readInt();
        if (length < 0 || length > DataFrame.MAX_DATA_BYTES || length > in.readableBytes()) {
            throw new IllegalArgumentException("bad data length " + length);
        }
        return in.readRetainedSlice(length);
    }

    private static void writeChain(ByteBuf out, List<DataFrame.Address> chain) {
        if (chain.size() > MAX_CHAIN) {
            throw new IllegalArgumentException("chain too long: " + chain.size());
        }
        out.writeByte(chain.size());
        for (DataFrame.Address a : chain) {
            writeString(out, a.host());
            out.writeShort(a.port());
        }
    }

    private static List<DataFrame.Address> readChain(ByteBuf in) {
        int n = in.readUnsignedByte();
        if (n > MAX_CHAIN) {
            throw new IllegalArgumentException("chain too long: " + n);
        }
        List<DataFrame.Address> chain = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            chain.add(new DataFrame.Address(readString(in), in.readUnsignedShort()));
        }
        return List.copyOf(chain);
    }

    private static void writeString(ByteBuf out, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_STRING_BYTES) {
            // Cut before a UTF-8 continuation byte so the receiver never sees half a character.
            int end = MAX_STRING_BYTES;
            while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
                end--;
            }
            bytes = java.util.Arrays.copyOf(bytes, end);
        }
        out.writeShort(bytes.length);
        out.writeBytes(bytes);
    }

    private static String readString(ByteBuf in) {
        int n = in.readUnsignedShort();
        if (n > MAX_STRING_BYTES) {
            throw new IllegalArgumentException("string too long: " + n);
        }
        return in.readCharSequence(n, StandardCharsets.UTF_8).toString();
    }
}
