package org.mooseng.master.service;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import org.mooseng.common.Layout;

/**
 * Refuses a peer of another cluster: a call whose cluster-id header differs from ours is closed
 * with FAILED_PRECONDITION. A call without the header is accepted, so a chunk server with an
 * empty data directory can register and adopt our id. A mismatch never deletes anything.
 */
public final class ClusterIdInterceptor implements ServerInterceptor {
    public static final Metadata.Key<String> HEADER =
            Metadata.Key.of(Layout.CLUSTER_ID_HEADER, Metadata.ASCII_STRING_MARSHALLER);

    private final String clusterId;

    public ClusterIdInterceptor(String clusterId) {
        this.clusterId = clusterId;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        String peerClusterId = headers.get(HEADER);
        if (peerClusterId != null && !peerClusterId.equals(clusterId)) {
            call.close(Status.FAILED_PRECONDITION.withDescription(
                    "cluster id mismatch: expected " + clusterId + ", got " + peerClusterId), new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        return next.startCall(call, headers);
    }
}
