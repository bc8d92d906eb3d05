package org.mooseng.protocol;

import java.io.IOException;
import java.util.Deque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * The blocking connections to one server that a client borrows one call at a time: the most
 * recently returned idle one is reused, a new one is made when none is idle, and at most
 * {@code maxIdle} stay idle. A connection that broke takes the idle ones with it (the server
 * restarted, or the network between failed), so they are closed rather than failing one call
 * each. {@link #close()} closes them all, in a call or idle; later borrows fail.
 *
 * @param <C> the connection type
 */
public final class IdleConnections<C extends IdleConnections.Pooled> implements AutoCloseable {
    /** A connection as the pool sees it. */
    public interface Pooled {
        boolean isOpen();

        /** Closes it; a call blocked on it fails at once. Safe from any thread, more than once. */
        void close();
    }

    /** Makes a new connection. */
    @FunctionalInterface
    public interface Connector<C> {
        C connect() throws IOException;
    }

    private final int maxIdle;
    private final String closedMessage;
    private final Deque<C> idle = new ConcurrentLinkedDeque<>();
    private final Set<C> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** {@code closedMessage}: what a borrow after {@link #close()} fails with. */
    public IdleConnections(int maxIdle, String closedMessage) {
        this.maxIdle = maxIdle;
        this.closedMessage = closedMessage;
    }

    /** The most recently used idle connection, or a new one from {@code connector}. */
    public C borrow(Connector<C> connector) throws IOException {
        C reused;
        while ((reused = idle.pollFirst()) != null) {
            if (reused.isOpen()) {
                return reused;
            }
            open.remove(reused);
        }
        if (closed) {
            throw new IOException(closedMessage);
        }
        C fresh = connector.connect();
        open.add(fresh);
        if (closed) {
            drop(fresh); // close() ran while this one was being made: it did not see it
            throw new IOException(closedMessage);
        }
        return fresh;
    }

    /** A connection whose call got its reply: kept for the next call, unless enough are idle already. */
    public void giveBack(C connection) {
        if (closed || !connection.isOpen()) {
            drop(connection);
            return;
        }
        idle.offerFirst(connection);
        if (idle.size() > maxIdle) {
            C extra = idle.pollLast();
            if (extra != null) {
                drop(extra);
            }
        }
        if (closed && idle.remove(connection)) {
            drop(connection); // close() ran meanwhile
        }
    }

    /** A connection broke: closes it and every idle one. */
    public void broken(C connection) {
        drop(connection);
        C stale;
        while ((stale = idle.pollFirst()) != null) {
            drop(stale);
        }
    }

    /** Closes a connection that failed or whose call ended without its reply. */
    public void drop(C connection) {
        connection.close();
        open.remove(connection);
    }

    public boolean isClosed() {
        return closed;
    }

    /** Connections open now, idle or in a call. */
    public int openCount() {
        return open.size();
    }

    /** Closes every connection: calls in flight on them fail, later borrows at once. */
    @Override
    public void close() {
        closed = true;
        for (C connection : open) {
            connection.close();
        }
        idle.clear();
    }
}
