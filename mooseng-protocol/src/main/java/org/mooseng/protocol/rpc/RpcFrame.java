package org.mooseng.protocol.rpc;

import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * The frames of the framed RPC transport; their byte layout is documented in
 * {@code package-info.java}. A {@link Request} or {@link Reply} with a payload owns one
 * reference of it: whoever receives the frame releases it (the encoder does, once written).
 */
sealed interface RpcFrame {
    byte TYPE_HELLO = 1;
    byte TYPE_REQUEST = 2;
    byte TYPE_CANCEL = 3;
    byte TYPE_REPLY = 4;

    /** "MNGR": the first bytes either end sends, so a stray peer is recognised at once. */
    int MAGIC = 0x4D4E4752;
    byte VERSION = 1;
    /** Longest frame, length field excluded. */
    int MAX_FRAME_BYTES = 64 << 20;

    /** Sent once by each end when the connection opens. */
    record Hello(int magic, byte version) implements RpcFrame {
        static final Hello CURRENT = new Hello(MAGIC, VERSION);

        boolean isCurrent() {
            return magic == MAGIC && version == VERSION;
        }
    }

    /**
     * One unary call. {@code timeoutNanos} is what was left of the caller's deadline when the
     * call was sent, 0 for none.
     */
    record Request(long callId, String method, long timeoutNanos, List<Header> headers, ByteBuf payload)
            implements RpcFrame {
    }

    /** The caller gave up on the call (cancelled, deadline passed); no reply is expected. */
    record Cancel(long callId) implements RpcFrame {
    }

    /**
     * The end of a call: its status, the server's headers and trailers, and the response
     * message, absent ({@code null}) when the call failed.
     */
    record Reply(long callId, int statusCode, String description, List<Header> headers, List<Header> trailers,
                 ByteBuf payload) implements RpcFrame {
    }

    /** One metadata entry as on the wire: an ASCII key and its value (raw bytes for "-bin" keys). */
    record Header(String key, byte[] value) {
    }
}
