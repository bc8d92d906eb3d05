package org.mooseng.chunkserver.data;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.zip.CRC32C;
import org.mooseng.common.ChunkId;
import org.mooseng.common.ChunkVersion;
import org.mooseng.common.Layout;
import org.mooseng.common.Status;
import org.mooseng.common.StatusException;
import org.mooseng.protocol.data.DataFrame;
import org.mooseng.protocol.data.DataFrameChannelCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one data-plane connection: HELLO first, then pipelined READ, WRITE, TRUNCATE and
 * SYNC. Disk work runs on the disk executor, not on the event loop, except a READ of at most
 * one block that the page cache holds, or that the disk reads fast ({@link DiskReadLatency}),
 * while its chunk's file is open and no other operation holds the chunk: that is answered at
 * once. A WRITE, TRUNCATE or SYNC is applied locally and forwarded down its chain in
 * parallel, and acknowledged only when both are done (a WRITE is then in the page cache of
 * every replica, a SYNC made every earlier write of its chunk durable on every replica); an
 * Error names the server that failed. The {@link ChunkSequencer} shared by all connections
 * applies and forwards the updates of one chunk in the order they arrive here, whichever
 * connection they come from; reads are not ordered.
 */
final class DataRequestHandler extends SimpleChannelInboundHandler<DataFrame> {
    private static final Logger LOG = LoggerFactory.getLogger(DataRequestHandler.class);
    private static final Supplier<CompletableFuture<DataFrame>> NOTHING_TO_FORWARD =
            () -> CompletableFuture.completedFuture(new DataFrame.Ok(0, true));

    private final DataServer.Context context;
    private final ChunkSequencer sequencer;
    private final DiskReadLatency diskReads;
    private final Supplier<DataFrame.Address> self;
    private boolean greeted;

    DataRequestHandler(DataServer.Context context, ChunkSequencer sequencer, DiskReadLatency diskReads,
                       Supplier<DataFrame.Address> self) {
        super(false); // frames with payloads are released by the code that consumes them
        this.context = context;
        this.sequencer = sequencer;
        this.diskReads = diskReads;
        this.self = self;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DataFrame frame) {
        if (!greeted && !(frame instanceof DataFrame.Hello)) {
            DataFrameChannelCodec.release(frame);
            refuse(ctx, new DataFrame.Error(frame.requestId(), Status.EPERM.code(), "HELLO must come first", ""));
            return;
        }
        switch (frame) {
            case DataFrame.Hello hello -> hello(ctx, hello);
            case DataFrame.Read read -> read(ctx, read);
            case DataFrame.Write write -> write(ctx, write);
            case DataFrame.Truncate truncate -> truncate(ctx, truncate);
            case DataFrame.Sync sync -> sync(ctx, sync);
            case DataFrame.Ok ok -> unexpected(ctx, ok);
            case DataFrame.Data data -> {
                data.data().release();
                unexpected(ctx, data);
            }
            case DataFrame.Error error -> unexpected(ctx, error);
        }
    }

    private void hello(ChannelHandlerContext ctx, DataFrame.Hello hello) {
        String ours = context.clusterId().get();
        if (ours == null) {
            refuse(ctx, new DataFrame.Error(hello.requestId(), Status.EAGAIN.code(),
                    self.get() + " has not registered with a master yet", self.get().toString()));
        } else if (!ours.equals(hello.clusterId())) {
            LOG.warn("refused data connection from {}: cluster id {} is not ours ({})",
                    ctx.channel().remoteAddress(), hello.clusterId(), ours);
            refuse(ctx, new DataFrame.Error(hello.requestId(), Status.WRONG_CLUSTER.code(),
                    "cluster id mismatch: expected " + ours + ", got " + hello.clusterId(), ""));
        } else {
            greeted = true;
            ctx.writeAndFlush(new DataFrame.Ok(hello.requestId()));
        }
    }

    private void read(ChannelHandlerContext ctx, DataFrame.Read read) {
        if (read.length() < 0 || read.length() > DataFrame.MAX_DATA_BYTES) {
            reply(ctx, localError(read.requestId(), new StatusException(Status.EINVAL, "chunk "
                    + hex(read.chunkId()) + ": read length " + read.length() + " above " + DataFrame.MAX_DATA_BYTES)));
            return;
        }
        ChunkId id = chunkId(read.chunkId());
        ChunkVersion oldest = new ChunkVersion(read.oldestVersion());
        ChunkVersion version = new ChunkVersion(read.version());
        long offset = Integer.toUnsignedLong(read.offset());
        int length = read.length();
        // A read of at most a block is answered here when the page cache holds it, or when the
        // disk reads a block fast; anything else goes to a disk thread, where the hand-offs
        // weigh little against the transfer.
        try {
            byte[] bytes = length <= Layout.BLOCK_SIZE_BYTES
                    ? context.store().readCached(id, oldest, version, offset, length) : null;
            if (bytes == null && diskReads.readInPlace(length)) {
                long start = System.nanoTime();
                bytes = context.store().readIfFree(id, oldest, version, offset, length);
                if (bytes != null) {
                    diskReads.record(length, System.nanoTime() - start);
                }
            }
            if (bytes != null) {
                reply(ctx, data(read.requestId(), bytes));
                return;
            }
        } catch (StatusException | RuntimeException e) {
            reply(ctx, localError(read.requestId(), e));
            return;
        }
        onDisk(() -> {
            long start = System.nanoTime();
            byte[] bytes = context.store().read(id, oldest, version, offset, length);
            diskReads.record(length, System.nanoTime() - start);
            return data(read.requestId(), bytes);
        }).whenComplete((reply, failure) -> reply(ctx, failure == null ? reply : localError(read.requestId(), failure)));
    }

    private static DataFrame data(long requestId, byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return new DataFrame.Data(requestId, (int) crc.getValue(), Unpooled.wrappedBuffer(bytes));
    }

    private void write(ChannelHandlerContext ctx, DataFrame.Write write) {
        ByteBuf data = write.data();
        if (crc32c(data) != write.crc32c()) {
            data.release();
            reply(ctx, new DataFrame.Error(write.requestId(), Status.CHECKSUM_MISMATCH.code(), "chunk "
                    + hex(write.chunkId()) + " v" + Integer.toUnsignedString(write.version())
                    + ": data CRC mismatch on arrival", self.get().toString()));
            return;
        }
        boolean[] onDisk = new boolean[1]; // set on the disk thread before the local future completes
        ChunkSequencer.Accepted accepted = sequencer.accept(write.chunkId(),
                () -> onDisk[0] = context.store().writeDeferred(chunkId(write.chunkId()),
                        new ChunkVersion(write.version()), new ChunkVersion(write.previousVersion()),
                        Integer.toUnsignedLong(write.offset()), data.nioBuffer()),
                () -> forward(write.chunkId(), write.chain(), id -> new DataFrame.Write(id, write.chunkId(),
                        write.version(), write.previousVersion(), write.offset(), rest(write.chain()),
                        write.crc32c(), data.retainedDuplicate())));
        finish(ctx, write.requestId(), write.chain(), accepted, () -> onDisk[0]).whenComplete((r, f) -> data.release());
        accepted.local().thenRun(() -> writebackIfDue(write.chunkId()));
    }

    private void truncate(ChannelHandlerContext ctx, DataFrame.Truncate truncate) {
        ChunkSequencer.Accepted accepted = sequencer.accept(truncate.chunkId(),
                () -> context.store().truncate(chunkId(truncate.chunkId()), new ChunkVersion(truncate.version()),
                        new ChunkVersion(truncate.previousVersion()), Integer.toUnsignedLong(truncate.length())),
                () -> forward(truncate.chunkId(), truncate.chain(), id -> new DataFrame.Truncate(id,
                        truncate.chunkId(), truncate.version(), truncate.previousVersion(), truncate.length(),
                        rest(truncate.chain()))));
        finish(ctx, truncate.requestId(), truncate.chain(), accepted, () -> true);
    }

    private void sync(ChannelHandlerContext ctx, DataFrame.Sync sync) {
        ChunkSequencer.Accepted accepted = sequencer.accept(sync.chunkId(),
                () -> context.store().sync(chunkId(sync.chunkId()), new ChunkVersion(sync.version()),
                        new ChunkVersion(sync.previousVersion())),
                () -> forward(sync.chunkId(), sync.chain(), id -> new DataFrame.Sync(id, sync.chunkId(),
                        sync.version(), sync.previousVersion(), rest(sync.chain()))));
        finish(ctx, sync.requestId(), sync.chain(), accepted, () -> true);
    }

    /**
     * Queues a force of the chunk behind its updates once enough unforced bytes piled up in
     * it: a stream keeps the disk busy as it comes rather than leaving it all to the sync.
     */
    private void writebackIfDue(long id) {
        try {
            if (context.store().writebackDue(chunkId(id))) {
                sequencer.accept(id, () -> context.store().writeback(chunkId(id)), NOTHING_TO_FORWARD);
            }
        } catch (StatusException | RuntimeException e) {
            LOG.debug("chunk {}: writeback not queued: {}", hex(id), e.toString());
        }
    }

    /**
     * Replies once both the local update and the downstream call are done; the local failure
     * wins. The Ok is durable when the local update is on disk ({@code localOnDisk}, read once
     * it is done) and the downstream's Ok was durable.
     */
    private CompletableFuture<Void> finish(ChannelHandlerContext ctx, long requestId, List<DataFrame.Address> chain,
                                           ChunkSequencer.Accepted accepted, BooleanSupplier localOnDisk) {
        CompletableFuture<Void> local = accepted.local();
        CompletableFuture<DataFrame> downstream = accepted.downstream();
        return CompletableFuture.allOf(local.exceptionally(f -> null), downstream.exceptionally(f -> null))
                .thenRun(() -> {
                    DataFrame reply;
                    if (local.isCompletedExceptionally()) {
                        reply = localError(requestId, local.exceptionNow());
                    } else if (downstream.isCompletedExceptionally()) {
                        Throwable cause = unwrap(downstream.exceptionNow());
                        reply = new DataFrame.Error(requestId, cause instanceof java.net.SocketTimeoutException
                                ? Status.ETIMEDOUT.code() : Status.EIO.code(),
                                "forward to " + chain.getFirst() + " failed: " + cause.getMessage(),
                                chain.getFirst().toString());
                    } else {
                        reply = downstreamReply(requestId, chain, downstream.join(), localOnDisk.getAsBoolean());
                    }
                    if (reply instanceof DataFrame.Error error) {
                        LOG.debug("request {} failed: {}", requestId, error);
                    }
                    reply(ctx, reply);
                });
    }

    private static DataFrame downstreamReply(long requestId, List<DataFrame.Address> chain, DataFrame reply,
                                             boolean localOnDisk) {
        return switch (reply) {
            case DataFrame.Ok ok -> new DataFrame.Ok(requestId, localOnDisk && ok.durable());
            case DataFrame.Error e -> new DataFrame.Error(requestId, e.status(), e.message(),
                    e.failedServer().isEmpty() ? chain.getFirst().toString() : e.failedServer());
            case DataFrame.Data d -> {
                d.data().release();
                yield unexpectedDownstream(requestId, chain, d);
            }
            case DataFrame.Hello h -> unexpectedDownstream(requestId, chain, h);
            case DataFrame.Read r -> unexpectedDownstream(requestId, chain, r);
            case DataFrame.Write w -> {
                w.data().release();
                yield unexpectedDownstream(requestId, chain, w);
            }
            case DataFrame.Truncate t -> unexpectedDownstream(requestId, chain, t);
            case DataFrame.Sync y -> unexpectedDownstream(requestId, chain, y);
        };
    }

    private static DataFrame unexpectedDownstream(long requestId, List<DataFrame.Address> chain, DataFrame reply) {
        return new DataFrame.Error(requestId, Status.EIO.code(), chain.getFirst() + " answered with "
                + reply.getClass().getSimpleName(), chain.getFirst().toString());
    }

    private CompletableFuture<DataFrame> forward(long chunkId, List<DataFrame.Address> chain,
                                                 java.util.function.LongFunction<DataFrame> request) {
        if (chain.isEmpty()) {
            return CompletableFuture.completedFuture(new DataFrame.Ok(0, true)); // nothing downstream to wait for
        }
        return context.downstream().call(chunkId, chain.getFirst(), request, context.forwardTimeoutMs());
    }

    private static List<DataFrame.Address> rest(List<DataFrame.Address> chain) {
        return chain.subList(1, chain.size());
    }

    @FunctionalInterface
    private interface DiskWork<T> {
        T run() throws StatusException;
    }

    private <T> CompletableFuture<T> onDisk(DiskWork<T> work) {
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return work.run();
                } catch (StatusException e) {
                    throw new CompletionException(e);
                }
            }, context.disk());
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private DataFrame.Error localError(long requestId, Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof StatusException status) {
            return new DataFrame.Error(requestId, status.status().code(), status.detail(), self.get().toString());
        }
        if (cause instanceof RejectedExecutionException) {
            return new DataFrame.Error(requestId, Status.EAGAIN.code(), self.get() + ": disk queue full",
                    self.get().toString());
        }
        if (cause instanceof IllegalArgumentException invalid) {
            // a chunk id or version outside its range: the request is wrong, not this server
            return new DataFrame.Error(requestId, Status.EINVAL.code(), invalid.getMessage(), "");
        }
        LOG.warn("request {} failed unexpectedly", requestId, cause);
        return new DataFrame.Error(requestId, Status.EIO.code(), String.valueOf(cause), self.get().toString());
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static void reply(ChannelHandlerContext ctx, DataFrame reply) {
        ctx.writeAndFlush(reply).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
    }

    private static void refuse(ChannelHandlerContext ctx, DataFrame.Error error) {
        ctx.writeAndFlush(error).addListener(ChannelFutureListener.CLOSE);
    }

    private void unexpected(ChannelHandlerContext ctx, DataFrame frame) {
        refuse(ctx, new DataFrame.Error(frame.requestId(), Status.EINVAL.code(),
                frame.getClass().getSimpleName() + " is not a request", ""));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("closing data connection from {}: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    private static int crc32c(ByteBuf data) {
        CRC32C crc = new CRC32C();
        for (ByteBuffer part : data.nioBuffers()) {
            crc.update(part);
        }
        return (int) crc.getValue();
    }

    private static ChunkId chunkId(long value) {
        return new ChunkId(value);
    }

    private static String hex(long chunkId) {
        return String.format("%016X", chunkId);
    }
}
