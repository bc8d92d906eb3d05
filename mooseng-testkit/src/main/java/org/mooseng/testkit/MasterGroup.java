package org.mooseng.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.mooseng.client.ClientOptions;
import org.mooseng.client.MoosengClient;
import org.mooseng.client.MoosengException;
import org.mooseng.common.config.Config;
import org.mooseng.master.MasterConfig;
import org.mooseng.master.MasterServer;

/**
 * A master group in one JVM, without chunk servers: member i listens on 127.0.0.(i+1) with
 * the same Raft and client ports, as members on separate hosts do, each with its own data
 * directory under {@code root}. A member can be stopped (a lost leader); clients are given
 * every member, as a mount is, and follow the leader.
 */
public final class MasterGroup implements AutoCloseable {
    private final String clusterId = "group-" + UUID.randomUUID();
    private final List<String> hosts = new ArrayList<>();
    private final List<MasterServer> members = new ArrayList<>();
    private final List<MoosengClient> clients = new ArrayList<>();
    private final int clientPort;

    private MasterGroup(int size) {
        for (int i = 1; i <= size; i++) {
            hosts.add("127.0.0." + i);
        }
        this.clientPort = freePort();
    }

    /**
     * Formats and starts {@code size} members; {@code tune} adjusts each member's configuration
     * (timeouts, leases). Returns once they are started, not once one leads: see {@link #awaitLeader}.
     */
    public static MasterGroup start(Path root, int size, UnaryOperator<Config> tune) throws IOException {
        MasterGroup group = new MasterGroup(size);
        try {
            int raftPort = freePort();
            String peers = String.join(",", group.hosts.stream().map(h -> h + ":" + raftPort).toList());
            for (int i = 0; i < size; i++) {
                Config config = tune.apply(MasterConfig.SCHEMA.defaults()
                        .with(MasterConfig.DATA_DIR, root.resolve("master-" + (i + 1)).toString())
                        .with(MasterConfig.LISTEN_HOST, group.hosts.get(i))
                        .with(MasterConfig.RAFT_PORT, (long) raftPort)
                        .with(MasterConfig.CLIENT_PORT, (long) group.clientPort)
                        .with(MasterConfig.CLIENT_RPC_PORT, 0L)
                        .with(MasterConfig.CHUNKSERVER_PORT, 0L)
                        .with(MasterConfig.MASTER_PEERS, peers));
                MasterServer.format(config, group.clusterId);
                group.members.add(MasterServer.start(config));
            }
            return group;
        } catch (IOException | RuntimeException e) {
            group.close();
            throw e;
        }
    }

    public String clusterId() {
        return clusterId;
    }

    /** Every member's client address, as a mount's {@code -H} takes them. */
    public String clientAddresses() {
        return String.join(",", hosts.stream().map(h -> h + ":" + clientPort).toList());
    }

    /** The client address of one member. */
    public String clientAddress(MasterServer member) {
        return hosts.get(members.indexOf(member)) + ":" + clientPort;
    }

    /**
     * Waits until exactly one running member leads and answers a namespace read, which it does
     * only once it has applied every entry of earlier terms.
     */
    public MasterServer awaitLeader(Duration timeout) throws IOException {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            Optional<MasterServer> leader = soleLeader();
            if (leader.isPresent() && answersReads(leader.get())) {
                return leader.get();
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IOException("no single leader answering reads within " + timeout);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for a leader", e);
            }
        }
    }

    /** Stops a member as a crash would, leaving its data directory. */
    public void stop(MasterServer member) {
        member.close();
    }

    /**
     * A client with these options ({@link #clientOptions()} knows every member), checked
     * against this group's cluster id; closed with the group.
     */
    public MoosengClient newClient(ClientOptions.Builder options) throws MoosengException {
        MoosengClient client = MoosengClient.connect(options.expectedClusterId(clusterId).build());
        clients.add(client);
        return client;
    }

    /** Options naming every member. */
    public ClientOptions.Builder clientOptions() {
        return ClientOptions.builder().master(clientAddresses());
    }

    private Optional<MasterServer> soleLeader() {
        List<MasterServer> leaders = members.stream().filter(MasterServer::isLeader).toList();
        return leaders.size() == 1 ? Optional.of(leaders.getFirst()) : Optional.empty();
    }

    private boolean answersReads(MasterServer leader) {
        ClientOptions options = ClientOptions.builder().master(clientAddress(leader)).expectedClusterId(clusterId)
                .failoverTimeoutMs(0).rpcTimeoutMs(5_000).build();
        try (MoosengClient probe = MoosengClient.connect(options)) {
            probe.stat("/");
            return true;
        } catch (MoosengException e) {
            return false;
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        for (MoosengClient client : clients) {
            client.close();
        }
        clients.clear();
        for (MasterServer member : members) {
            member.close();
        }
    }
}
