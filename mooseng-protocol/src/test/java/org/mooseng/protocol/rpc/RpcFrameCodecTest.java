package org.mooseng.protocol.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Metadata;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class RpcFrameCodecTest {

    private static EmbeddedChannel pipe() {
        EmbeddedChannel channel = new EmbeddedChannel();
        RpcFrameCodec.install(channel.pipeline());
        return channel;
    }

    /** Encodes on one channel and decodes the bytes on another, as between two peers. */
    private static RpcFrame roundTrip(RpcFrame frame) {
        EmbeddedChannel sender = pipe();
        EmbeddedChannel receiver = pipe();
        assertThat(sender.writeOutbound(frame)).isTrue();
        ByteBuf bytes;
        while ((bytes = sender.readOutbound()) != null) {
            receiver.writeInbound(bytes);
        }
        RpcFrame decoded = receiver.readInbound();
        Object more = receiver.readInbound();
        assertThat(more).isNull();
        return decoded;
    }

    private static String text(ByteBuf payload) {
        try {
            return payload.toString(StandardCharsets.UTF_8);
        } finally {
            payload.release();
        }
    }

    @Test
    void requestKeepsItsIdMethodTimeoutMetadataAndPayload() {
        Metadata metadata = new Metadata();
        metadata.put(Metadata.Key.of("mooseng-cluster-id", Metadata.ASCII_STRING_MARSHALLER), "c1");
        metadata.put(Metadata.Key.of("trace-bin", Metadata.BINARY_BYTE_MARSHALLER), new byte[] {0, -1, 7});
        RpcFrame.Request sent = new RpcFrame.Request(42, "mooseng.MasterClientService/Lookup", 1_500_000,
                WireMetadata.toHeaders(metadata), Unpooled.copiedBuffer("request", StandardCharsets.UTF_8));

        RpcFrame.Request got = (RpcFrame.Request) roundTrip(sent);

        assertThat(got.callId()).isEqualTo(42);
        assertThat(got.method()).isEqualTo("mooseng.MasterClientService/Lookup");
        assertThat(got.timeoutNanos()).isEqualTo(1_500_000);
        Metadata received = WireMetadata.toMetadata(got.headers());
        assertThat(received.get(Metadata.Key.of("mooseng-cluster-id", Metadata.ASCII_STRING_MARSHALLER))).isEqualTo("c1");
        assertThat(received.get(Metadata.Key.of("trace-bin", Metadata.BINARY_BYTE_MARSHALLER)))
                .containsExactly(0, -1, 7);
        assertThat(text(got.payload())).isEqualTo("request");
    }

    @Test
    void replyWithAndWithoutAMessage() {
        RpcFrame.Reply ok = (RpcFrame.Reply) roundTrip(new RpcFrame.Reply(7, 0, "", List.of(), List.of(),
                Unpooled.copiedBuffer("x".repeat(10_000), StandardCharsets.UTF_8)));
        assertThat(ok.callId()).isEqualTo(7);
        assertThat(ok.statusCode()).isZero();
        assertThat(text(ok.payload())).isEqualTo("x".repeat(10_000));

        RpcFrame.Reply failed = (RpcFrame.Reply) roundTrip(new RpcFrame.Reply(8, 5, "inode 3: no entry é",
                List.of(), List.of(new RpcFrame.Header("k", new byte[] {'v'})), null));
        assertThat(failed.statusCode()).isEqualTo(5);
        assertThat(failed.description()).isEqualTo("inode 3: no entry é");
        assertThat(failed.trailers()).singleElement().satisfies(h -> {
            assertThat(h.key()).isEqualTo("k");
            assertThat(h.value()).containsExactly('v');
        });
        assertThat(failed.payload()).isNull();
    }

    @Test
    void helloAndCancel() {
        assertThat(roundTrip(RpcFrame.Hello.CURRENT)).isEqualTo(RpcFrame.Hello.CURRENT);
        assertThat(HexFormat.of().formatHex(encoded(RpcFrame.Hello.CURRENT))).isEqualTo("00000006014d4e475201");
        assertThat(roundTrip(new RpcFrame.Cancel(99))).isEqualTo(new RpcFrame.Cancel(99));
    }

    private static byte[] encoded(RpcFrame frame) {
        EmbeddedChannel sender = pipe();
        sender.writeOutbound(frame);
        ByteBuf bytes = sender.readOutbound();
        byte[] out = new byte[bytes.readableBytes()];
        bytes.readBytes(out);
        bytes.release();
        return out;
    }

    @Test
    void bytesLeftAfterAFrameAreRejected() {
        EmbeddedChannel receiver = pipe();
        // a CANCEL (type 3, call id 1) with one byte too many
        ByteBuf bytes = Unpooled.wrappedBuffer(HexFormat.of().parseHex("0000000a03" + "0000000000000001" + "00"));

        assertThatThrownBy(() -> receiver.writeInbound(bytes)).isInstanceOf(DecoderException.class)
                .hasMessageContaining("extra bytes");
    }

    @Test
    void metadataValueLongerThanItsFrameIsRejected() {
        EmbeddedChannel receiver = pipe();
        // a REQUEST whose one metadata value claims 1000 bytes
        String body = "02" + "0000000000000001" + "0000000000000000" + "0001" + "6d" + "0001" + "0001" + "6b"
                + "000003e8";
        ByteBuf bytes = Unpooled.wrappedBuffer(HexFormat.of().parseHex(
                String.format("%08x", body.length() / 2) + body));

        assertThatThrownBy(() -> receiver.writeInbound(bytes)).isInstanceOf(DecoderException.class)
                .hasMessageContaining("value of 1000 bytes");
    }
}
