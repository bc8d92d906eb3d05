package org.mooseng.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.mooseng.common.InodeId;
import org.mooseng.common.Status;
import org.mooseng.proto.AttrReply;
import org.mooseng.proto.ChunkServerAddress;
import org.mooseng.proto.Credentials;
import org.mooseng.proto.WriteChunkEndRequest;
import org.mooseng.proto.WriteChunkReply;
import org.mooseng.proto.WriteChunkRequest;
import org.mooseng.protocol.data.DataFrame;

/**
 * The write side of one open file. Writes are cut into frames of at most 4 MiB and sent
 * down the chunk's chain without waiting, up to a window of bytes in flight; the oldest
 * frame is awaited when the window is full. A replica acknowledges a frame once it holds
 * the bytes, before they are on its disk (except a frame that created the replicas: that
 * one is on disk, and its Ok says so); {@link #flush} awaits every frame, sends a SYNC down
 * the chain of every chunk with a frame acknowledged as not on disk since its last SYNC
 * (each replica forces the chunk, after the frames sent before), and only then ends the
 * write session of every chunk touched (WriteChunkEnd commits the new size). A session
 * ended earlier to bound the open leases is synced first too, so a committed size never
 * covers bytes not yet durable.
 *
 * <p>A lease names the chunk's version, the chain and a base version: chunk servers take a
 * frame when their copy is between the base and the lease's version, so writers of other
 * mounts sharing the lease and earlier leases of a failed chain are covered. When a frame
 * fails because a replica failed (an Error naming it, or a lost connection to the head of
 * the chain), the chunk is leased again with that server excluded, which raises the version
 * on the survivors, and the frames not acknowledged are sent again. When a replica answers
 * ESTALE, it is newer than the lease (another writer's failure or a truncation raised the
 * version): the chunk is leased again as it is. A chunk is retried at most
 * {@code maxRetries} times per session.
 */
final class ChunkWriter implements AutoCloseable {
    /** Chunk write sessions kept open before idle ones are ended. */
    private static final int MAX_OPEN_SESSIONS = 4;

    private final MasterConnection master;
    private final ChunkServerTransport transport;
    private final Credentials credentials;
    private final long sessionId;
    private final InodeId inode;
    private final String subject;
    private final long dataTimeoutMs;
    private final long windowBytes;
    private final int maxRetries;

    private final Map<Long, ChunkSession> sessions = new LinkedHashMap<>();
    private final ArrayDeque<PendingFrame> inFlight = new ArrayDeque<>();
    private long inFlightBytes;
    private long nextSequence;
    private long writtenEnd;
    /** The first failure; once set, every later write and flush reports it, as fsync(2) would. */
    private MoosengException failure;

    ChunkWriter(MasterConnection master, ChunkServerTransport transport, Credentials credentials, InodeId inode,
                String subject, long dataTimeoutMs, long windowBytes, int maxRetries) {
        this(master, transport, credentials, inode, subject, dataTimeoutMs, windowBytes, maxRetries, 0);
    }

    /** {@code sessionId}: the client session holding the file open for writing (0: none; mode bits decide). */
    ChunkWriter(MasterConnection master, ChunkServerTransport transport, Credentials credentials, InodeId inode,
                String subject, long dataTimeoutMs, long windowBytes, int maxRetries, long sessionId) {
        this.sessionId = sessionId;
        this.master = master;
        this.transport = transport;
        this.credentials = credentials;
        this.inode = inode;
        this.subject = subject;
        this.dataTimeoutMs = dataTimeoutMs;
        this.windowBytes = windowBytes;
        this.maxRetries = maxRetries;
    }

    /** A chunk's write session: the lease from the master and what has been written under it. */
    private static final class ChunkSession {
        final long chunkIndex;
        final Set<String> excluded = new LinkedHashSet<>();
        long chunkId;
        int version;
        int previousVersion;
        List<ChunkServerAddress> chain = List.of();
        long maxEnd;
        /** Whether a frame was acknowledged as held but not on disk since the chunk's last SYNC was sent. */
        boolean unsynced;
        /** The end (in the chunk) of the furthest frame sent; a frame starting there overlaps none in flight. */
        long sentEndInChunk;
        /**
         * This chunk's frames in flight by their offset in the chunk. They never overlap: a
         * frame is sent only after every in-flight frame it overlaps was acknowledged.
         */
        final TreeMap<Long, PendingFrame> inFlightByOffset = new TreeMap<>();
        int retries;

        ChunkSession(long chunkIndex) {
            this.chunkIndex = chunkIndex;
        }
    }

    /**
     * One frame's data, kept until every replica acknowledged it so it can be sent again; a
     * SYNC (no data) when {@link #sync}.
     */
    private static final class PendingFrame {
        /** Sending order: frames leave {@link #inFlight} in it. */
        final long sequence;
        final ChunkSession session;
        final int offsetInChunk;
        final ByteBuf data;
        final int crc32c;
        final boolean sync;
        CompletableFuture<DataFrame> reply;
        String sentTo;

        PendingFrame(long sequence, ChunkSession session, int offsetInChunk, ByteBuf data) {
            this(sequence, session, offsetInChunk, data, false);
        }

        private PendingFrame(long sequence, ChunkSession session, int offsetInChunk, ByteBuf data, boolean sync) {
            this.sequence = sequence;
            this.session = session;
            this.offsetInChunk = offsetInChunk;
            this.data = data;
            this.crc32c = DataFrames.crc32c(data);
            this.sync = sync;
        }

        static PendingFrame sync(long sequence, ChunkSession session) {
            return new PendingFrame(sequence, session, 0, Unpooled.EMPTY_BUFFER, true);
        }
    }

    /** Largest file end written since the last flush; 0 when everything is committed. */
    long writtenEnd() {
        return writtenEnd;
    }

    boolean hasUncommittedWrites() {
        return !sessions.isEmpty();
    }

    void write(long position, ByteBuffer src) throws MoosengException {
        checkNotFailed();
        try {
            writeFrames(position, src);
        } catch (MoosengException e) {
            fail(e);
            throw e;
        }
    }

    /** Waits until every frame is on the disk of every replica, then commits each chunk's session. */
    void flush() throws MoosengException {
        checkNotFailed();
        try {
            commit();
        } catch (MoosengException e) {
            fail(e);
            throw e;
        }
    }

    private void checkNotFailed() throws MoosengException {
        if (failure != null) {
            throw new MoosengException(failure.status(), subject, "an earlier write failed: " + failure.getMessage(),
                    failure);
        }
    }

    /** Drops everything not yet committed: after a failed write the file keeps its committed size. */
    private void fail(MoosengException e) {
        failure = e;
        close();
    }

    private void writeFrames(long position, ByteBuffer src) throws MoosengException {
        int length = src.remaining();
        if (position < 0 || position + length < 0) {
            throw new MoosengException(Status.EINVAL, subject, "bad write range " + position + "+" + length);
        }
        int base = src.position();
        for (ChunkSpan span : ChunkSpan.split(position, length)) {
            ChunkSession session = session(span.chunkIndex());
            for (ChunkSpan piece : span.frames(DataFrame.MAX_DATA_BYTES)) {
                ByteBuf data = PooledByteBufAllocator.DEFAULT.directBuffer(piece.length());
                data.writeBytes(src.slice(base + piece.bufferOffset(), piece.length()));
                PendingFrame frame = new PendingFrame(nextSequence++, session, piece.offsetInChunk(), data);
                awaitOverlapping(session, piece.offsetInChunk(), piece.length());
                send(frame);
                session.sentEndInChunk = Math.max(session.sentEndInChunk, piece.offsetInChunk() + piece.length());
                inFlight.addLast(frame);
                session.inFlightByOffset.put((long) frame.offsetInChunk, frame);
                inFlightBytes += piece.length();
                session.maxEnd = Math.max(session.maxEnd, piece.fileEnd());
                while (inFlightBytes > windowBytes) {
                    drainOldest();
                }
            }
        }
        src.position(base + length);
        writtenEnd = Math.max(writtenEnd, position + length);
    }

    /**
     * Frames travel over several connections and may be applied out of order, so a frame
     * that overwrites bytes of one still in flight waits until that one is acknowledged:
     * the later write must win. A sequential writer never overlaps; any other looks up only
     * the frames of its chunk around the bytes it writes, not every frame in the window.
     */
    private void awaitOverlapping(ChunkSession session, long offsetInChunk, int length) throws MoosengException {
        if (offsetInChunk >= session.sentEndInChunk) {
            return;
        }
        long lastOverlapping = -1;
        Map.Entry<Long, PendingFrame> below = session.inFlightByOffset.floorEntry(offsetInChunk);
        if (below != null && below.getKey() + below.getValue().data.readableBytes() > offsetInChunk) {
            lastOverlapping = below.getValue().sequence;
        }
        for (PendingFrame pending : session.inFlightByOffset.subMap(offsetInChunk, false, offsetInChunk + length,
                false).values()) {
            lastOverlapping = Math.max(lastOverlapping, pending.sequence);
        }
        while (lastOverlapping >= 0 && !inFlight.isEmpty() && inFlight.peekFirst().sequence <= lastOverlapping) {
            drainOldest();
        }
    }

    private void commit() throws MoosengException {
        while (!inFlight.isEmpty()) {
            drainOldest();
        }
        sync(sessions.values());
        Iterator<ChunkSession> it = sessions.values().iterator();
        while (it.hasNext()) {
            end(it.next());
            it.remove();
        }
        writtenEnd = 0; // committed: the master's size covers it now
    }

    /**
     * Makes the acknowledged writes of {@code toSync} durable: one SYNC per chunk written since
     * its last, all sent before any is awaited. A failed SYNC is recovered like a failed frame
     * (the chunk is leased again without the replica to blame and the SYNC sent to the new
     * chain, whose members hold every acknowledged frame). The sessions have no frame in flight.
     */
    private void sync(Collection<ChunkSession> toSync) throws MoosengException {
        List<PendingFrame> syncs = new ArrayList<>();
        for (ChunkSession session : toSync) {
            if (session.unsynced) {
                session.unsynced = false;
                PendingFrame frame = PendingFrame.sync(nextSequence++, session);
                send(frame);
                syncs.add(frame);
            }
        }
        for (PendingFrame frame : syncs) {
            DataFrames.Failure failure = await(frame);
            if (failure != null) {
                recover(frame, failure);
            }
        }
    }

    /** WriteChunkEnd: the session's writes are on the disk of every replica; the master may grow the file. */
    private void end(ChunkSession session) throws MoosengException {
        WriteChunkEndRequest request = WriteChunkEndRequest.newBuilder().setCred(credentials)
                .setInode(inode.value()).setChunkId(session.chunkId).setNewSize(session.maxEnd).build();
        AttrReply reply = master.call(subject, s -> s.writeChunkEnd(request));
        MoosengException.check(reply.getStatus(), subject, reply.getMessage());
    }

    /**
     * Ends the sessions whose frames are all acknowledged once more than a few are open, so
     * a long sequential write keeps only the chunks near its end leased and the file's size
     * grows as it goes, while a writer that moves between a few chunks keeps its leases.
     */
    private void commitIdleSessions() throws MoosengException {
        if (sessions.size() < MAX_OPEN_SESSIONS) {
            return;
        }
        while (!inFlight.isEmpty() && inFlight.peekFirst().reply.isDone()) {
            drainOldest();
        }
        List<ChunkSession> idle = new ArrayList<>();
        for (ChunkSession session : sessions.values()) {
            if (session.inFlightByOffset.isEmpty()) {
                idle.add(session);
            }
        }
        sync(idle);
        for (ChunkSession session : idle) {
            end(session);
            sessions.remove(session.chunkIndex);
        }
    }

    private ChunkSession session(long chunkIndex) throws MoosengException {
        ChunkSession session = sessions.get(chunkIndex);
        if (session == null) {
            commitIdleSessions();
            session = new ChunkSession(chunkIndex);
            lease(session);
            sessions.put(chunkIndex, session);
        }
        return session;
    }

    private void lease(ChunkSession session) throws MoosengException {
        WriteChunkRequest request = WriteChunkRequest.newBuilder().setCred(credentials).setInode(inode.value())
                .setChunkIndex(session.chunkIndex).addAllExcludeServers(session.excluded).setSessionId(sessionId)
                .build();
        WriteChunkReply reply = master.call(subject, s -> s.writeChunk(request));
        MoosengException.check(reply.getStatus(), subject, reply.getMessage());
        if (reply.getChainCount() == 0) {
            throw new MoosengException(Status.EIO, subject, "chunk " + session.chunkIndex
                    + ": no chunk server to write to" + (session.excluded.isEmpty() ? "" : ", excluded "
                    + session.excluded));
        }
        session.chunkId = reply.getChunk().getChunkId();
        session.version = reply.getChunk().getVersion();
        session.previousVersion = reply.getChunk().getPreviousVersion();
        session.chain = List.copyOf(reply.getChainList());
    }

    private void send(PendingFrame frame) {
        ChunkSession s = frame.session;
        List<DataFrame.Address> downstream = DataFrames.downstream(s.chain);
        long chunkId = s.chunkId;
        int version = s.version;
        int previousVersion = s.previousVersion;
        frame.sentTo = DataFrames.hostPort(s.chain.getFirst());
        if (frame.sync) {
            frame.reply = DataFrames.send(transport, DataFrames.address(s.chain.getFirst()),
                    id -> new DataFrame.Sync(id, chunkId, version, previousVersion, downstream), dataTimeoutMs);
            return;
        }
        frame.reply = DataFrames.send(transport, DataFrames.address(s.chain.getFirst()),
                id -> new DataFrame.Write(id, chunkId, version, previousVersion, frame.offsetInChunk, downstream,
                        frame.crc32c, frame.data.retainedDuplicate()),
                dataTimeoutMs);
    }

    private void drainOldest() throws MoosengException {
        PendingFrame frame = inFlight.pollFirst();
        frame.session.inFlightByOffset.remove((long) frame.offsetInChunk, frame);
        inFlightBytes -= frame.data.readableBytes();
        DataFrames.Failure failure = await(frame);
        if (failure == null) {
            acknowledge(frame);
            return;
        }
        recover(frame, failure);
    }

    private static void acknowledge(PendingFrame frame) {
        frame.data.release();
    }

    /**
     * Null when every replica acknowledged the frame; a write frame acknowledged as not yet on
     * disk leaves its chunk owing a SYNC.
     */
    private DataFrames.Failure await(PendingFrame frame) {
        DataFrame reply;
        try {
            reply = DataFrames.await(frame.reply, dataTimeoutMs);
        } catch (IOException e) {
            return DataFrames.Failure.of(e);
        }
        return switch (reply) {
            case DataFrame.Ok ok -> {
                if (!frame.sync && !ok.durable()) {
                    frame.session.unsynced = true;
                }
                yield null;
            }
            case DataFrame.Error e -> DataFrames.Failure.of(e);
            case DataFrame.Data _, DataFrame.Hello _, DataFrame.Read _, DataFrame.Write _, DataFrame.Truncate _,
                 DataFrame.Sync _ -> {
                DataFrames.release(reply);
                yield DataFrames.Failure.unexpected(reply);
            }
        };
    }

    private void recover(PendingFrame firstFailed, DataFrames.Failure firstFailure) throws MoosengException {
        ChunkSession session = firstFailed.session;
        List<PendingFrame> failed = new ArrayList<>(List.of(firstFailed));
        List<DataFrames.Failure> failures = new ArrayList<>(List.of(firstFailure));
        // The other frames of this chunk went to the same chain: let them finish before re-leasing.
        for (Iterator<PendingFrame> it = inFlight.iterator(); it.hasNext(); ) {
            PendingFrame frame = it.next();
            if (frame.session == session) {
                it.remove();
                session.inFlightByOffset.remove((long) frame.offsetInChunk, frame);
                inFlightBytes -= frame.data.readableBytes();
                DataFrames.Failure failure = await(frame);
                if (failure == null) {
                    acknowledge(frame);
                } else {
                    failed.add(frame);
                    failures.add(failure);
                }
            }
        }
        while (!failed.isEmpty()) {
            try {
                if (++session.retries > maxRetries) {
                    throw new MoosengException(Status.EIO, subject, "chunk " + session.chunkIndex + ": write failed "
                            + session.retries + " times, last: " + failures.getLast().describe(failed.getLast().sentTo));
                }
                if (!leaseOutdated(failures)) {
                    exclude(session, failed, failures);
                }
                lease(session);
            } catch (MoosengException e) {
                failed.forEach(f -> f.data.release());
                throw e;
            }
            failed.forEach(this::send);
            List<PendingFrame> resent = failed;
            failed = new ArrayList<>();
            failures = new ArrayList<>();
            for (PendingFrame frame : resent) {
                DataFrames.Failure failure = await(frame);
                if (failure == null) {
                    acknowledge(frame);
                } else {
                    failed.add(frame);
                    failures.add(failure);
                }
            }
        }
    }

    /** Whether every failure is a replica newer than the lease: nothing failed, the lease is old. */
    private static boolean leaseOutdated(List<DataFrames.Failure> failures) {
        return failures.stream().allMatch(f -> !f.connectionLost() && f.status() == Status.ESTALE);
    }

    /**
     * Adds the servers to blame to the session's exclusions. Both the server id and its
     * host:port are listed, so the master can match either. A failure that names no
     * replica and is not a lost connection (a bad request, say) cannot be fixed by another
     * chain and fails the write.
     */
    private void exclude(ChunkSession session, List<PendingFrame> failed, List<DataFrames.Failure> failures)
            throws MoosengException {
        for (int i = 0; i < failed.size(); i++) {
            DataFrames.Failure failure = failures.get(i);
            String blamed = !failure.failedServer().isEmpty() ? failure.failedServer()
                    : failure.connectionLost() ? failed.get(i).sentTo : null;
            if (blamed == null) {
                throw new MoosengException(failure.status(), subject, "chunk " + session.chunkIndex + ": "
                        + failure.describe(failed.get(i).sentTo));
            }
            session.excluded.add(blamed);
            for (ChunkServerAddress server : session.chain) {
                if (DataFrames.hostPort(server).equals(blamed) && !server.getServerId().isEmpty()) {
                    session.excluded.add(server.getServerId());
                }
            }
        }
    }

    /** Drops whatever is still in flight without committing it. */
    @Override
    public void close() {
        for (PendingFrame frame : inFlight) {
            frame.reply.cancel(false);
            frame.data.release();
        }
        inFlight.clear();
        inFlightBytes = 0;
        sessions.values().forEach(session -> session.inFlightByOffset.clear());
        sessions.clear();
    }
}
