package org.mooseng.cli.local;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.mooseng.common.Layout;
import org.mooseng.proto.ClusterInfoReply;
import org.mooseng.proto.ClusterInfoRequest;
import org.mooseng.proto.ChunkServerInfo;
import org.mooseng.proto.ChunkServersRequest;
import org.mooseng.proto.MasterClientServiceGrpc;

/** Asks a master for its ClusterInfo over one reusable channel. */
public final class MasterProbe implements AutoCloseable {
    private static final Metadata.Key<String> CLUSTER_ID_KEY =
            Metadata.Key.of(Layout.CLUSTER_ID_HEADER, Metadata.ASCII_STRING_MARSHALLER);

    /** The outcome of one question. */
    public sealed interface Answer permits Answered, Unreachable {
    }

    public record Answered(ClusterInfoReply info) implements Answer {
    }

    public record Unreachable(String reason) implements Answer {
    }

    private final ManagedChannel channel;
    private final MasterClientServiceGrpc.MasterClientServiceBlockingStub stub;

    public MasterProbe(String host, int port, String clusterId) {
        this.channel = Grpc.newChannelBuilderForAddress(host, port, InsecureChannelCredentials.create()).build();
        Metadata headers = new Metadata();
        if (clusterId != null) {
            headers.put(CLUSTER_ID_KEY, clusterId);
        }
        this.stub = MasterClientServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    public Answer clusterInfo(Duration timeout) {
        try {
            return new Answered(stub.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .clusterInfo(ClusterInfoRequest.getDefaultInstance()));
        } catch (StatusRuntimeException e) {
            String description = e.getStatus().getDescription();
            return new Unreachable(e.getStatus().getCode() + (description != null ? ": " + description : ""));
        }
    }

    /** The chunk servers the master knows, or empty when it does not answer. */
    public List<ChunkServerInfo> chunkServers(Duration timeout) {
        try {
            return stub.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .chunkServers(ChunkServersRequest.getDefaultInstance()).getServersList();
        } catch (StatusRuntimeException e) {
            return List.of();
        }
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
