package org.mooseng.chunkserver.master;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;

/** Logs a repeated problem at most once per interval per key, so a retry loop does not flood the log. */
final class RateLimitedLog {
    private final Logger log;
    private final long intervalMs;
    private final Map<String, Long> lastLoggedMs = new ConcurrentHashMap<>();

    RateLimitedLog(Logger log, long intervalMs) {
        this.log = log;
        this.intervalMs = intervalMs;
    }

    void error(String key, String format, Object... args) {
        if (due(key)) {
            log.error(format, args);
        } else {
            log.debug(format, args);
        }
    }

    void warn(String key, String format, Object... args) {
        if (due(key)) {
            log.warn(format, args);
        } else {
            log.debug(format, args);
        }
    }

    private boolean due(String key) {
        long now = System.nanoTime() / 1_000_000;
        Long last = lastLoggedMs.get(key);
        if (last != null && now - last < intervalMs) {
            return false;
        }
        lastLoggedMs.put(key, now);
        return true;
    }
}
