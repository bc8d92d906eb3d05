package org.mooseng.protocol.rpc;

import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Moves marshalled messages between gRPC's streams and Netty buffers. */
final class Payloads {
    private Payloads() {
    }

    /** Writes a marshalled message (as returned by a marshaller's {@code stream}) into a new buffer. */
    static ByteBuf write(InputStream message, ByteBufAllocator alloc) {
        try (message) {
            int knownBytes = message instanceof KnownLength ? message.available() : 256;
            ByteBuf out = alloc.buffer(Math.max(knownBytes, 16));
            try {
                ByteBufOutputStream target = new ByteBufOutputStream(out);
                if (message instanceof Drainable drainable) {
                    drainable.drainTo(target);
                } else {
                    message.transferTo(target);
                }
                return out;
            } catch (IOException | RuntimeException e) {
                out.release();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot marshal a message", e);
        }
    }

    /**
     * A stream over the readable bytes of {@code payload} for a marshaller's {@code parse};
     * its known length lets the protobuf marshaller parse from one array. The caller still
     * releases the buffer.
     */
    static InputStream read(ByteBuf payload) {
        return new KnownLengthStream(payload);
    }

    private static final class KnownLengthStream extends ByteBufInputStream implements KnownLength {
        KnownLengthStream(ByteBuf buffer) {
            super(buffer);
        }
    }
}
