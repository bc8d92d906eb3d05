package org.mooseng.master;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import org.mooseng.common.config.Config;
import org.mooseng.master.service.ClusterIdInterceptor;
import org.mooseng.proto.CreateOp;
import org.mooseng.proto.Credentials;
import org.mooseng.proto.FileType;
import org.mooseng.proto.GetAttrRequest;
import org.mooseng.proto.MasterChunkServerServiceGrpc;
import org.mooseng.proto.MasterClientServiceGrpc;
import org.mooseng.proto.MetaOp;
import org.mooseng.proto.MutateRequest;

/** Configurations, channels and requests shared by the master tests. */
public final class TestMasters {
    public static final Credentials ROOT = Credentials.newBuilder().setUid(0).setGid(0).build();
    public static final long ROOT_INODE = 1;

    private TestMasters() {
    }

    /** A master on loopback with every port picked by the system except Raft's. */
    public static Config config(Path dataDir) {
        return MasterConfig.SCHEMA.defaults()
                .with(MasterConfig.DATA_DIR, dataDir.toString())
                .with(MasterConfig.RAFT_PORT, 0L)
                .with(MasterConfig.CLIENT_PORT, 0L)
                .with(MasterConfig.CLIENT_RPC_PORT, 0L)
                .with(MasterConfig.CHUNKSERVER_PORT, 0L)
                .with(MasterConfig.RAFT_ELECTION_TIMEOUT_MS, 300L);
    }

    /** The one member of {@code among} that leads, if exactly one does. */
    public static Optional<MasterServer> soleLeader(List<MasterServer> among) {
        List<MasterServer> leaders = among.stream().filter(MasterServer::isLeader).toList();
        return leaders.size() == 1 ? Optional.of(leaders.getFirst()) : Optional.empty();
    }

    /**
     * The member of {@code among} that leads once it answers reads (its namespace is formatted).
     * The leader is looked for anew each round: one elected while the others were still starting
     * may step down again before it answers.
     */
    public static MasterServer awaitAnsweringLeader(List<MasterServer> among,
            Function<MasterServer, MasterClientServiceGrpc.MasterClientServiceBlockingStub> clientOf,
            Duration atMost) {
        Map<MasterServer, MasterClientServiceGrpc.MasterClientServiceBlockingStub> clients = new HashMap<>();
        AtomicReference<MasterServer> answering = new AtomicReference<>();
        org.awaitility.Awaitility.await().atMost(atMost).ignoreExceptions().until(() -> {
            Optional<MasterServer> leader = soleLeader(among);
            if (leader.isEmpty() || clients.computeIfAbsent(leader.get(), clientOf)
                    .withDeadlineAfter(2, TimeUnit.SECONDS)
                    .getAttr(GetAttrRequest.newBuilder().setInode(ROOT_INODE).build()).getStatus() != 0) {
                return false;
            }
            answering.set(leader.get());
            return true;
        });
        return answering.get();
    }

    public static ManagedChannel channel(int port) {
        return ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    public static ManagedChannel channel(int port, String clusterIdHeader) {
        Metadata headers = new Metadata();
        headers.put(ClusterIdInterceptor.HEADER, clusterIdHeader);
        return ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
                .intercept(MetadataUtils.newAttachHeadersInterceptor(headers)).build();
    }

    public static MasterClientServiceGrpc.MasterClientServiceBlockingStub client(ManagedChannel channel) {
        return MasterClientServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    public static MasterChunkServerServiceGrpc.MasterChunkServerServiceBlockingStub chunkServer(ManagedChannel channel) {
        return MasterChunkServerServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    public static MutateRequest create(long parent, String name, FileType type) {
        return MutateRequest.newBuilder().setOp(MetaOp.newBuilder().setCred(ROOT).setCreate(CreateOp.newBuilder()
                .setParent(parent).setName(name).setType(type).setMode(type == FileType.DIRECTORY ? 0755 : 0644)))
                .build();
    }

    public static void shutdown(ManagedChannel channel) {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
