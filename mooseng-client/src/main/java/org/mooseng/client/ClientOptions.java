package org.mooseng.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How to reach a cluster and as whom.
 *
 * @param masters            master client endpoints; a follower's NOT_LEADER reply redirects
 *                           to the leader it names, and an unreachable master is skipped for
 *                           the next one, so list every member of the group to survive the
 *                           loss of any one
 * @param expectedClusterId  when present, the client refuses a master of another cluster
 * @param credentials        identity sent with every namespace call
 * @param rpcTimeoutMs       deadline of one control-plane call
 * @param dataTimeoutMs      deadline of one data-plane request (a frame of up to 4 MiB)
 * @param connectionsPerServer data-plane connections kept to each chunk server
 * @param writeWindowBytes   bytes of one file's writes in flight before a write waits
 * @param writeRetries       re-leases of one chunk after replica failures before EIO
 * @param readAheadBytes     bytes fetched ahead of a sequential reader (0: none)
 * @param session            whether and how to open a session with the master
 * @param failoverTimeoutMs  how long one master call keeps retrying while its outcome is
 *                           unknown (master unreachable, deadline passed, proposal not
 *                           committed) or no leader is known (an election); 0 = never retry.
 *                           A retried change carries its first request id, so it applies once
 */
public record ClientOptions(List<MasterAddress> masters, Optional<String> expectedClusterId,
                            UserCredentials credentials, long rpcTimeoutMs, long dataTimeoutMs,
                            int connectionsPerServer, long writeWindowBytes, int writeRetries,
                            int readAheadBytes, SessionOptions session, long failoverTimeoutMs) {
    /** Default of {@link #failoverTimeoutMs}: a few elections' worth. */
    public static final long DEFAULT_FAILOVER_TIMEOUT_MS = 30_000;

    /** Without a session, as before sessions existed. */
    public ClientOptions(List<MasterAddress> masters, Optional<String> expectedClusterId,
                         UserCredentials credentials, long rpcTimeoutMs, long dataTimeoutMs,
                         int connectionsPerServer, long writeWindowBytes, int writeRetries, int readAheadBytes) {
        this(masters, expectedClusterId, credentials, rpcTimeoutMs, dataTimeoutMs, connectionsPerServer,
                writeWindowBytes, writeRetries, readAheadBytes, SessionOptions.none());
    }

    /** With the default failover timeout. */
    public ClientOptions(List<MasterAddress> masters, Optional<String> expectedClusterId,
                         UserCredentials credentials, long rpcTimeoutMs, long dataTimeoutMs,
                         int connectionsPerServer, long writeWindowBytes, int writeRetries, int readAheadBytes,
                         SessionOptions session) {
        this(masters, expectedClusterId, credentials, rpcTimeoutMs, dataTimeoutMs, connectionsPerServer,
                writeWindowBytes, writeRetries, readAheadBytes, session, DEFAULT_FAILOVER_TIMEOUT_MS);
    }

    public ClientOptions {
        session = session == null ? SessionOptions.none() : session;
        masters = List.copyOf(masters);
        if (masters.isEmpty()) {
            throw new IllegalArgumentException("at least one master address is required");
        }
        if (rpcTimeoutMs <= 0 || dataTimeoutMs <= 0 || connectionsPerServer <= 0 || writeWindowBytes <= 0
                || writeRetries < 0 || readAheadBytes < 0) {
            throw new IllegalArgumentException("timeouts, connections and window must be positive");
        }
        if (failoverTimeoutMs < 0) {
            throw new IllegalArgumentException("failover timeout must not be negative: " + failoverTimeoutMs);
        }
    }

    /** These options with other credentials. */
    public ClientOptions withCredentials(UserCredentials newCredentials) {
        return new ClientOptions(masters, expectedClusterId, newCredentials, rpcTimeoutMs, dataTimeoutMs,
                connectionsPerServer, writeWindowBytes, writeRetries, readAheadBytes, session, failoverTimeoutMs);
    }

    /** These options with another session setting. */
    public ClientOptions withSession(SessionOptions newSession) {
        return new ClientOptions(masters, expectedClusterId, credentials, rpcTimeoutMs, dataTimeoutMs,
                connectionsPerServer, writeWindowBytes, writeRetries, readAheadBytes, newSession, failoverTimeoutMs);
    }

    /** The first master's host. */
    public String masterHost() {
        return masters.getFirst().host();
    }

    /** The first master's port. */
    public int masterPort() {
        return masters.getFirst().port();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder for the given masters: "host[:port]", several separated by commas. */
    public static Builder master(String masters) {
        return new Builder().master(masters);
    }

    public static final class Builder {
        private List<MasterAddress> masters = List.of(MasterAddress.parse("127.0.0.1"));
        private Optional<String> expectedClusterId = Optional.empty();
        private UserCredentials credentials;
        private long rpcTimeoutMs = 30_000;
        private long dataTimeoutMs = 60_000;
        private int connectionsPerServer = 2;
        private long writeWindowBytes = 32L << 20;
        private int writeRetries = 4;
        private int readAheadBytes = 8 << 20;
        private SessionOptions session = SessionOptions.none();
        private long failoverTimeoutMs = DEFAULT_FAILOVER_TIMEOUT_MS;

        /** "host[:port]" (port 9421 by default); several masters separated by commas. */
        public Builder master(String addresses) {
            List<MasterAddress> parsed = new ArrayList<>();
            for (String one : addresses.split(",")) {
                if (!one.isBlank()) {
                    parsed.add(MasterAddress.parse(one));
                }
            }
            this.masters = parsed;
            return this;
        }

        public Builder master(String host, int port) {
            this.masters = List.of(new MasterAddress(host, port));
            return this;
        }

        public Builder masters(List<MasterAddress> masters) {
            this.masters = List.copyOf(masters);
            return this;
        }

        public Builder expectedClusterId(String clusterId) {
            this.expectedClusterId = Optional.ofNullable(clusterId).filter(s -> !s.isBlank());
            return this;
        }

        public Builder credentials(UserCredentials credentials) {
            this.credentials = credentials;
            return this;
        }

        public Builder rpcTimeoutMs(long ms) {
            this.rpcTimeoutMs = ms;
            return this;
        }

        public Builder dataTimeoutMs(long ms) {
            this.dataTimeoutMs = ms;
            return this;
        }

        public Builder connectionsPerServer(int n) {
            this.connectionsPerServer = n;
            return this;
        }

        public Builder writeWindowBytes(long bytes) {
            this.writeWindowBytes = bytes;
            return this;
        }

        public Builder writeRetries(int n) {
            this.writeRetries = n;
            return this;
        }

        public Builder readAheadBytes(int bytes) {
            this.readAheadBytes = bytes;
            return this;
        }

        /** How long one master call keeps retrying through a failover; see {@link ClientOptions#failoverTimeoutMs}. */
        public Builder failoverTimeoutMs(long ms) {
            this.failoverTimeoutMs = ms;
            return this;
        }

        /** Open a session with the master at connect (a mount); see {@link SessionOptions}. */
        public Builder session(SessionOptions session) {
            this.session = session;
            return this;
        }

        public ClientOptions build() {
            return new ClientOptions(masters, expectedClusterId,
                    credentials == null ? UserCredentials.currentUser() : credentials, rpcTimeoutMs, dataTimeoutMs,
                    connectionsPerServer, writeWindowBytes, writeRetries, readAheadBytes, session, failoverTimeoutMs);
        }
    }
}
