package org.mooseng.master.raft;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.option.RaftOptions;
import com.alipay.sofa.jraft.rpc.RaftRpcServerFactory;
import com.alipay.sofa.jraft.rpc.RpcServer;
import com.alipay.sofa.jraft.rpc.impl.BoltRpcServer;
import com.alipay.sofa.jraft.util.RpcFactoryHelper;

/**
 * What every member of the master group shares, voter or learner (a metalogger): the group
 * id, the snapshot layout, the Raft transport bound to one address, and member addresses.
 */
public final class RaftEndpoints {
    /** The masters' Raft group. */
    public static final String GROUP_ID = "mooseng-master";
    /** Subdirectory of a Raft snapshot holding the namespace store checkpoint (jraft copies subdirectories). */
    public static final String CHECKPOINT_DIR = "meta";

    private RaftEndpoints() {
    }

    /**
     * jraft's own factory binds every interface; a member told to listen on one address (and
     * several members on one machine's loopback addresses) needs the Raft port bound to it.
     */
    public static RpcServer boundRpcServer(String host, int port) {
        RpcFactoryHelper.rpcFactory(); // loads the Bolt transport and its protobuf serializers
        RpcServer server = new BoltRpcServer(new com.alipay.remoting.rpc.RpcServer(host, port, true));
        RaftRpcServerFactory.addRaftRequestProcessors(server);
        return server;
    }

    /**
     * The jraft options every member runs with. The Raft log is the namespace's write-ahead
     * log: an acknowledged op must survive a power cut, so every append and every term or vote
     * change is fsynced.
     *
     * <p>No replicator pipeline, and one append in flight per follower. With the pipeline, a
     * follower handles each leader's appends on a per-leader executor, and when that leader's
     * connection closes (the leader died) the transport's close handler, holding the lock of
     * the table of those executors, waits up to 15 s for the dead leader's executor to drain,
     * while the append that executor is running waits for that same lock. For those 15 s the
     * member answers no append from anyone, so a newly elected leader loses its majority and
     * steps down: a 15 s failover instead of one (seen in the failover benchmark, with thread
     * dumps). Without the pipeline a follower handles appends on a shared pool, in any order,
     * so the leader must not have several in flight: out of order they are rejected and
     * resent, and a backlog of a dead leader's appends, each renewing its lease on the
     * follower, held off the next election for a minute. One in flight keeps the order; each
     * append carries every entry queued meanwhile, so throughput comes from batching.
     */
    public static RaftOptions memberRaftOptions() {
        RaftOptions options = new RaftOptions();
        options.setSync(true);
        options.setSyncMeta(true);
        options.setReplicatorPipeline(false);
        options.setMaxReplicatorInflightMsgs(1);
        return options;
    }

    public static PeerId parsePeer(String hostPort) {
        PeerId peer = new PeerId();
        if (!peer.parse(hostPort.trim())) {
            throw new IllegalArgumentException("not a host:port Raft address: '" + hostPort + "'");
        }
        return peer;
    }

    /** A comma-separated list of addresses, blanks dropped. */
    public static List<String> parsePeers(String raw) {
        return Arrays.stream(raw.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /**
     * RAFT_PORT = 0: a port picked at the first start and kept in {@code file}, since the port
     * is part of the member's identity in the group's log.
     */
    public static int rememberedRaftPort(Path file, String host) throws IOException {
        if (Files.isRegularFile(file)) {
            return Integer.parseInt(Files.readString(file, StandardCharsets.UTF_8).strip());
        }
        int port;
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(host, 0));
            port = socket.getLocalPort();
        }
        Files.writeString(file, port + "\n", StandardCharsets.UTF_8);
        return port;
    }
}
