package org.mooseng.protocol.data;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.codec.DecoderException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import org.mooseng.common.Status;
import org.mooseng.protocol.IdleConnections;

/**
 * Reads from chunk servers with the I/O on the calling thread: each call borrows an idle
 * blocking connection to the server (or opens one, HELLO included), writes its Read and reads
 * the reply there. A read thus wakes no other thread on this side, where {@link DataClient}
 * hands the request to its I/O thread and the reply back (two wake-ups that cost as much as the
 * transfer of a 64 KiB block on a small virtual machine). Writes keep using DataClient, whose
 * frames are pipelined.
 *
 * <p>A connection carries one read at a time; at most {@link #MAX_IDLE_PER_SERVER} idle ones
 * are kept per server. A connection whose read timed out or failed is closed (a late reply
 * never reaches another read), and after a failure the server's idle connections are closed
 * too, since they most likely broke with it.
 */
public final class BlockingDataReads implements AutoCloseable {
    static final int MAX_IDLE_PER_SERVER = 8;
    private static final int CONNECT_TIMEOUT_MS = 5_000;
    private static final int BUFFER_BYTES = 64 << 10;
    private static final ByteBufAllocator HEAP = new UnpooledByteBufAllocator(false);

    private final String clusterId;
    private final AtomicLong nextRequestId = new AtomicLong(1);
    private final Map<DataFrame.Address, IdleConnections<Connection>> servers = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** clusterId is sent in the HELLO of every new connection. */
    public BlockingDataReads(String clusterId) {
        this.clusterId = Objects.requireNonNull(clusterId, "clusterId");
    }

    /**
     * Sends one request (built with the assigned request id; a Read, whose frame carries no
     * buffer) and returns its reply (Data, Error or Ok); an IOException when the connection
     * cannot be made or is lost, or when no reply came within {@code timeoutMs}. The caller
     * releases the buffer of a Data reply.
     */
    public DataFrame call(DataFrame.Address server, LongFunction<DataFrame> request, long timeoutMs)
            throws IOException {
        long deadlineNanos = System.nanoTime() + timeoutMs * 1_000_000L;
        IdleConnections<Connection> connections = connections(server);
        int connectTimeoutMs = (int) Math.clamp(timeoutMs, 1, CONNECT_TIMEOUT_MS);
        Connection connection = connections.borrow(
                () -> Connection.connect(server, clusterId, nextRequestId.getAndIncrement(), connectTimeoutMs));
        DataFrame reply;
        try {
            reply = connection.exchange(request.apply(nextRequestId.getAndIncrement()), deadlineNanos);
        } catch (SocketTimeoutException e) {
            connections.drop(connection);
            throw new SocketTimeoutException(server + ": no reply within " + timeoutMs + " ms");
        } catch (IOException | DecoderException e) {
            connections.broken(connection);
            throw e instanceof IOException io ? io : new IOException(server + ": " + e.getMessage(), e);
        }
        connections.giveBack(connection);
        return reply;
    }

    /** Closes every connection; reads in flight fail, later ones at once. */
    @Override
    public void close() {
        closed = true;
        servers.values().forEach(IdleConnections::close);
    }

    /** Connections open now, idle or in a read. */
    int openConnections() {
        return servers.values().stream().mapToInt(IdleConnections::openCount).sum();
    }

    private IdleConnections<Connection> connections(DataFrame.Address server) throws IOException {
        IdleConnections<Connection> connections = servers.computeIfAbsent(server,
                s -> new IdleConnections<>(MAX_IDLE_PER_SERVER, "data client closed"));
        if (closed) {
            connections.close(); // made after close() went through the servers
            throw new IOException("data client closed");
        }
        return connections;
    }

    /** One blocking connection, used by one read at a time. */
    private static final class Connection implements IdleConnections.Pooled {
        private final Socket socket;
        private final DataFrame.Address server;
        private final DataInputStream in;
        private final OutputStream out;

        private Connection(Socket socket, DataFrame.Address server) throws IOException {
            this.socket = socket;
            this.server = server;
            this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), BUFFER_BYTES));
            this.out = socket.getOutputStream();
        }

        static Connection connect(DataFrame.Address server, String clusterId, long helloId, int timeoutMs)
                throws IOException {
            Socket socket = new Socket();
            try {
                socket.setTcpNoDelay(true);
                socket.connect(new InetSocketAddress(server.host(), server.port()), timeoutMs);
                Connection connection = new Connection(socket, server);
                DataFrame answer = connection.exchange(new DataFrame.Hello(helloId, clusterId),
                        System.nanoTime() + timeoutMs * 1_000_000L);
                switch (answer) {
                    case DataFrame.Ok ok -> {
                        return connection;
                    }
                    case DataFrame.Error e -> throw new IOException(server + " refused the connection: "
                            + (e.status() == Status.WRONG_CLUSTER.code() ? "wrong cluster (" + e.message() + ")"
                            : Status.fromCode(e.status()) + " " + e.message()));
                    default -> {
                        DataFrameChannelCodec.release(answer);
                        throw new IOException(server + ": unexpected reply to HELLO: "
                                + answer.getClass().getSimpleName());
                    }
                }
            } catch (IOException | RuntimeException e) {
                socket.close();
                throw e;
            }
        }

        /** Writes the request and reads its reply until {@code deadlineNanos} (System.nanoTime). */
        DataFrame exchange(DataFrame request, long deadlineNanos) throws IOException {
            ByteBuf encoded = DataFrameCodec.encode(request, HEAP);
            try {
                encoded.readBytes(out, encoded.readableBytes());
                out.flush();
            } finally {
                encoded.release();
            }
            long leftMs = Math.ceilDiv(deadlineNanos - System.nanoTime(), 1_000_000L);
            if (leftMs <= 0) {
                throw new SocketTimeoutException(server + ": no reply in time");
            }
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, leftMs));
            int length = in.readInt();
            if (length < 1 || length > DataFrame.MAX_FRAME_BYTES) {
                throw new IOException(server + " sent a frame of " + Integer.toUnsignedString(length) + " bytes");
            }
            byte[] body = new byte[length];
            in.readFully(body);
            DataFrame reply = DataFrameCodec.decode(Unpooled.wrappedBuffer(body));
            if (reply.requestId() != request.requestId()) {
                DataFrameChannelCodec.release(reply);
                throw new IOException(server + " answered request " + reply.requestId() + " while "
                        + request.requestId() + " waited");
            }
            return reply;
        }

        @Override
        public boolean isOpen() {
            return !socket.isClosed();
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing: nothing more to do with it
            }
        }
    }
}
