package org.mooseng.protocol.rpc;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.CorruptedFrameException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import org.mooseng.protocol.IdleConnections;

/**
 * One blocking TCP connection of a {@link BlockingFramedChannel}, used by one call at a time
 * on that call's thread. Both HELLOs are exchanged when it opens; afterwards each exchange
 * writes one REQUEST and reads frames until its REPLY. Anything else from the server (a
 * frame out of place, a reply to another call, a malformed frame) is a broken connection.
 */
final class BlockingFramedConnection implements IdleConnections.Pooled, AutoCloseable {
    private static final int BUFFER_BYTES = 8192;
    /** Heap buffers: their bytes go to the socket's stream straight from their arrays. */
    static final ByteBufAllocator HEAP = new UnpooledByteBufAllocator(false);

    private final Socket socket;
    private final String server;
    private final DataInputStream in;
    private final OutputStream out;
    private long nextCallId = 1;

    private BlockingFramedConnection(Socket socket, String server) throws IOException {
        this.socket = socket;
        this.server = server;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), BUFFER_BYTES));
        this.out = new BufferedOutputStream(socket.getOutputStream(), BUFFER_BYTES);
    }

    /** Connects and exchanges HELLOs, within {@code timeoutMs}. */
    static BlockingFramedConnection connect(String host, int port, int timeoutMs) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), timeoutMs);
            BlockingFramedConnection connection = new BlockingFramedConnection(socket, host + ":" + port);
            connection.write(RpcFrame.Hello.CURRENT);
            socket.setSoTimeout(timeoutMs);
            if (!(connection.read() instanceof RpcFrame.Hello hello) || !hello.isCurrent()) {
                throw new IOException(host + ":" + port + " does not speak this protocol (no HELLO of version "
                        + RpcFrame.VERSION + ")");
            }
            return connection;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * Sends the request and waits for its reply until {@code deadlineNanos} ({@link System#nanoTime()}
     * time; {@code Long.MAX_VALUE} for none): a {@link SocketTimeoutException} when it passes.
     * The request's payload is handed over.
     */
    RpcFrame.Reply exchange(String method, long timeoutNanos, List<RpcFrame.Header> headers, ByteBuf payload,
                            long deadlineNanos) throws IOException {
        long callId = nextCallId++;
        write(new RpcFrame.Request(callId, method, timeoutNanos, headers, payload));
        if (deadlineNanos == Long.MAX_VALUE) {
            socket.setSoTimeout(0);
        } else {
            long leftMs = Math.ceilDiv(deadlineNanos - System.nanoTime(), 1_000_000L);
            if (leftMs <= 0) {
                throw new SocketTimeoutException("no reply from " + server);
            }
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, leftMs));
        }
        RpcFrame frame = read();
        if (frame instanceof RpcFrame.Reply reply && reply.callId() == callId) {
            return reply;
        }
        RpcFrameCodec.release(frame);
        throw new CorruptedFrameException(server + " sent " + frame.getClass().getSimpleName()
                + " while call " + callId + " waited for its reply");
    }

    @Override
    public boolean isOpen() {
        return !socket.isClosed();
    }

    /** Closes the socket; a call blocked on it fails at once. Safe from any thread, more than once. */
    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing: nothing more to do with it
        }
    }

    private void write(RpcFrame frame) throws IOException {
        List<Object> buffers = new ArrayList<>(2);
        RpcFrameCodec.encode(frame, HEAP, buffers);
        try {
            for (Object buffer : buffers) {
                ByteBuf bytes = (ByteBuf) buffer;
                bytes.readBytes(out, bytes.readableBytes());
            }
            out.flush();
        } finally {
            for (Object buffer : buffers) {
                ((ByteBuf) buffer).release();
            }
        }
    }

    private RpcFrame read() throws IOException {
        int length = in.readInt();
        if (length < 1 || length > RpcFrame.MAX_FRAME_BYTES) {
            throw new CorruptedFrameException(server + " sent a frame of " + Integer.toUnsignedString(length)
                    + " bytes (1 to " + RpcFrame.MAX_FRAME_BYTES + ")");
        }
        byte[] body = new byte[length];
        in.readFully(body);
        return RpcFrameCodec.decode(Unpooled.wrappedBuffer(body));
    }
}
