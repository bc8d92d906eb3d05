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
