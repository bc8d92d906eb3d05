package org.mooseng.fuse;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.mooseng.client.ClientOptions;
import org.mooseng.client.MoosengClient;
import org.mooseng.client.MoosengException;
import org.mooseng.client.UserCredentials;
import org.mooseng.fuse.ll.Caller;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client per caller identity. The client library sends fixed credentials with every
 * call, so the mount keeps a client (channel and data connections) per distinct
 * uid/gid/groups it has seen, created on first use. The number is bounded: past the bound a
 * caller is served by the mount's own client, and the kernel's default_permissions check,
 * made with the caller's identity before the request reaches us, remains the gate.
 */
final class CallerClients implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CallerClients.class);
    static final int MAX_IDENTITIES = 64;

    /** Opens a client for an identity; a seam so tests can count connections. */
    @FunctionalInterface
    interface Connector {
        MoosengClient connect(ClientOptions options) throws MoosengException;
    }

    private final ClientOptions baseOptions;
    private final MoosengClient base;
    private final Connector connector;
    private final ConcurrentHashMap<UserCredentials, MoosengClient> clients = new ConcurrentHashMap<>();
    private volatile boolean warnedFull;

    CallerClients(ClientOptions baseOptions, MoosengClient base, Connector connector) {
        this.baseOptions = baseOptions;
        this.base = base;
        this.connector = connector;
    }

    static UserCredentials identity(Caller caller) {
        return new UserCredentials(caller.uid(), caller.gid(), caller.groups());
    }

    MoosengClient base() {
        return base;
    }

    MoosengClient forCaller(Caller caller) throws MoosengException {
        UserCredentials identity = identity(caller);
        if (identity.equals(baseOptions.credentials()) || (caller.isRoot() && baseOptions.credentials().uid() == 0)) {
            return base;
        }
        MoosengClient existing = clients.get(identity);
        if (existing != null) {
            return existing;
        }
        if (clients.size() >= MAX_IDENTITIES) {
            if (!warnedFull) {
                warnedFull = true;
                LOG.warn("more than {} caller identities: further callers use the mount's own credentials",
                        MAX_IDENTITIES);
            }
            return base;
        }
        synchronized (this) {
            existing = clients.get(identity);
            if (existing != null) {
                return existing;
            }
            MoosengClient created = connector.connect(withCredentials(baseOptions, identity));
            clients.put(identity, created);
            return created;
        }
    }

    static ClientOptions withCredentials(ClientOptions o, UserCredentials credentials) {
        return new ClientOptions(o.masters(), o.expectedClusterId(), credentials, o.rpcTimeoutMs(),
                o.dataTimeoutMs(), o.connectionsPerServer(), o.writeWindowBytes(), o.writeRetries(),
                o.readAheadBytes());
    }

    int identities() {
        return clients.size();
    }

    @Override
    public void close() {
        for (MoosengClient client : List.copyOf(clients.values())) {
            client.close();
        }
        clients.clear();
    }
}
