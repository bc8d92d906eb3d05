package org.mooseng.client;

import java.time.Instant;
import org.mooseng.proto.SessionInfo;

/** One client session as the master knows it (admin view). */
public record SessionSummary(long sessionId, String host, String mountPoint, long leaseMs, Instant opened,
                             int openFiles) {
    static SessionSummary from(SessionInfo info) {
        return new SessionSummary(info.getSessionId(), info.getHost(), info.getMountPoint(),
                Integer.toUnsignedLong(info.getLeaseMs()),
                Instant.ofEpochSecond(info.getOpened().getSeconds(), info.getOpened().getNanos()),
                info.getOpenFiles());
    }
}
