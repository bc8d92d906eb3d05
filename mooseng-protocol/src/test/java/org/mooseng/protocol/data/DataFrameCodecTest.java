package org.mooseng.protocol.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class DataFrameCodecTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;
    private static final List<DataFrame.Address> CHAIN = List.of(new DataFrame.Address("10.0.0.2", 9422),
            new DataFrame.Address("cs-3.example", 65535));

    @Test
    void everyFrameWithoutPayloadSurvivesARoundTrip() {
        List<DataFrame> frames = List.of(
                new DataFrame.Hello(1, "cluster-ä"),
                new DataFrame.Read(2, 0xABCDEF0123L, 7, 65536, 4096),
                new DataFrame.Read(2, 0xABCDEF0123L, 7, 5, 65536, 4096),
                new DataFrame.Truncate(3, 42, 9, 8, 123_456, CHAIN),
                new DataFrame.Sync(4, 0xFEDCBA9876L, -2, -3, CHAIN),
                new DataFrame.Sync(5, 43, 10, 9, List.of()),
                new DataFrame.Ok(Long.MAX_VALUE),
                new DataFrame.Ok(9, true),
                new DataFrame.Error(-1, 28, "chunk 000000000000002A v9: no space", "10.0.0.2:9422"));
        for (DataFrame frame : frames) {
            assertThat(roundTrip(frame)).isEqualTo(frame);
        }
    }

    @Test
    void writeAndDataCarryTheirBytes() {
        byte[] bytes = "hello chunk".getBytes(StandardCharsets.UTF_8);
        DataFrame.Write write = new DataFrame.Write(5, 77, 3, 2, 1000, CHAIN, 0x1234, Unpooled.wrappedBuffer(bytes));
        DataFrame.Write decodedWrite = (DataFrame.Write) roundTrip(write);
        try {
            assertThat(decodedWrite.chain()).isEqualTo(CHAIN);
            assertThat(List.of(decodedWrite.requestId(), decodedWrite.chunkId(), (long) decodedWrite.version(),
                    (long) decodedWrite.previousVersion(), (long) decodedWrite.offset(), (long) decodedWrite.crc32c()))
                    .containsExactly(5L, 77L, 3L, 2L, 1000L, 0x1234L);
            assertThat(bytesOf(decodedWrite.data())).isEqualTo(bytes);
        } finally {
            decodedWrite.data().release();
        }
        DataFrame.Data data = new DataFrame.Data(6, 0xCAFE, Unpooled.wrappedBuffer(bytes));
        DataFrame.Data decodedData = (DataFrame.Data) roundTrip(data);
        try {
            assertThat(decodedData.crc32c()).isEqualTo(0xCAFE);
            assertThat(bytesOf(decodedData.data())).isEqualTo(bytes);
        } finally {
            decodedData.data().release();
        }
    }

    @Test
    void unknownTypeIsRejected() {
        ByteBuf in = Unpooled.buffer().writeByte(99).writeLong(1);
        assertThatThrownBy(() -> DataFrameCodec.decode(in)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown data frame type 99");
    }

    @Test
    void everyTruncationOfEveryFrameIsRejected() {
        List<DataFrame> frames = List.of(new DataFrame.Hello(1, "c"), new DataFrame.Read(2, 3, 4, 5, 6),
                new DataFrame.Truncate(3, 4, 5, 6, 7, CHAIN), new DataFrame.Sync(7, 8, 9, 10, CHAIN),
                new DataFrame.Error(4, 5, "m", "s"),
                new DataFrame.Write(5, 6, 7, 8, 9, CHAIN, 1, Unpooled.wrappedBuffer(new byte[10])),
                new DataFrame.Data(6, 1, Unpooled.wrappedBuffer(new byte[10])));
        for (DataFrame frame : frames) {
            ByteBuf encoded = DataFrameCodec.encode(frame, ALLOC);
            try {
                encoded.skipBytes(4);
                int bodyLength = encoded.readableBytes();
                for (int cut = 0; cut < bodyLength; cut++) {
                    ByteBuf truncated = encoded.slice(encoded.readerIndex(), cut);
                    assertThatThrownBy(() -> DataFrameCodec.decode(truncated))
                            .as("%s cut to %d bytes", frame.getClass().getSimpleName(), cut)
                            .isInstanceOf(IllegalArgumentException.class);
                }
            } finally {
                encoded.release();
            }
        }
    }

    @Test
    void trailingBytesAndOversizedFieldsAreRejected() {
        ByteBuf trailing = Unpooled.buffer().writeByte(DataFrame.TYPE_OK).writeLong(1).writeByte(0);
        assertThatThrownBy(() -> DataFrameCodec.decode(trailing)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("trailing");
        ByteBuf hugeData = Unpooled.buffer().writeByte(DataFrame.TYPE_DATA).writeLong(1).writeInt(0)
                .writeInt(DataFrame.MAX_DATA_BYTES + 1);
        assertThatThrownBy(() -> DataFrameCodec.decode(hugeData)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad data length");
        ByteBuf longChain = Unpooled.buffer().writeByte(DataFrame.TYPE_TRUNCATE).writeLong(1).writeLong(1)
                .writeInt(1).writeInt(0).writeInt(0).writeByte(200);
        assertThatThrownBy(() -> DataFrameCodec.decode(longChain)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("chain too long");
    }

    private static DataFrame roundTrip(DataFrame frame) {
        ByteBuf encoded = DataFrameCodec.encode(frame, ALLOC);
        try {
            assertThat(encoded.readInt()).isEqualTo(encoded.readableBytes());
            return DataFrameCodec.decode(encoded);
        } finally {
            encoded.release();
        }
    }

    private static byte[] bytesOf(ByteBuf buf) {
        byte[] out = new byte[buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), out);
        return out;
    }
}
