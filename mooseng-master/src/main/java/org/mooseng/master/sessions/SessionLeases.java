package org.mooseng.master.sessions;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.mooseng.proto.SessionInfo;

/**
 * When each session was last renewed, by the leader's clock. Not replicated: renewals would
 * flood the log. A leader that has not heard from a session yet counts from when it first
 * looked, so after a failover or restart every session gets one full lease to renew.
 */
public final class SessionLeases {
    private final Map<Long, Long> lastRenewedMs = new ConcurrentHashMap<>();

    public void renew(long sessionId, long nowMs) {
        lastRenewedMs.put(sessionId, nowMs);
    }

    public void forget(long sessionId) {
        lastRenewedMs.remove(sessionId);
    }

    public void reset() {
        lastRenewedMs.clear();
    }

    /** Sessions not renewed within their lease at {@code nowMs}. */
    public List<Long> expired(List<SessionInfo> sessions, long nowMs) {
        List<Long> expired = new ArrayList<>();
        for (SessionInfo session : sessions) {
            long last = lastRenewedMs.computeIfAbsent(session.getSessionId(), id -> nowMs);
            if (nowMs - last > Integer.toUnsignedLong(session.getLeaseMs())) {
                expired.add(session.getSessionId());
            }
        }
        return expired;
    }
}
