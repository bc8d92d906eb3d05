package org.mooseng.cli.local;

import java.util.List;
import java.util.Map;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Keeps SOFAJRaft's per-heartbeat reports of a member that cannot take part out of a daemon's
 * log unless that logger is at DEBUG. While a master or metalogger is down, the leader retries
 * it on every heartbeat and the Bolt transport logs each failed connection at ERROR with a
 * stack trace (about ten a second), the replicator a WARN every tenth failure; a master stopped
 * on an error (a full disk) logs a WARN for every heartbeat it refuses. The leader logs one INFO
 * line when a member becomes unreachable and one when it is back, a stopped master one ERROR,
 * instead. Only these messages of these loggers are held back; every other warning and error
 * of the libraries passes. Installed by the daemons' {@code logback.xml}.
 */
public final class PeerRetryLogFilter extends TurboFilter {
    /** Logger name → the message formats (their beginnings) that repeat per connection attempt. */
    static final Map<String, List<String>> PER_ATTEMPT = Map.of(
            // Bolt logs through sofa-common-log, which falls back to this one logger.
            "com.alipay.sofa.common.log", List.of("Exception occurred in async create connection thread for "),
            "com.alipay.sofa.jraft.core.Replicator", List.of("Fail to issue RPC to "),
            "com.alipay.sofa.jraft.core.NodeImpl", List.of("Node {} is not in active state, currTerm={}."));

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params,
                              Throwable t) {
        if (format == null || level == null || !level.isGreaterOrEqual(Level.INFO)) {
            return FilterReply.NEUTRAL;
        }
        List<String> formats = PER_ATTEMPT.get(logger.getName());
        if (formats == null || formats.stream().noneMatch(format::startsWith)) {
            return FilterReply.NEUTRAL;
        }
        return logger.getEffectiveLevel().isGreaterOrEqual(Level.INFO) ? FilterReply.DENY : FilterReply.NEUTRAL;
    }
}
