package org.mooseng.fuse;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.mooseng.client.ClientOptions;
import org.mooseng.client.MasterAddress;
import org.mooseng.client.MoosengException;
import org.mooseng.client.UserCredentials;
import org.mooseng.common.InodeId;
import org.mooseng.common.Layout;
import org.mooseng.common.Status;
import org.mooseng.proto.CreateOp;
import org.mooseng.proto.Credentials;
import org.mooseng.proto.MasterClientServiceGrpc;
import org.mooseng.proto.MasterClientServiceGrpc.MasterClientServiceBlockingStub;
import org.mooseng.proto.MetaOp;
import org.mooseng.proto.MetaResult;
import org.mooseng.proto.MutateRequest;
import org.mooseng.proto.ReadDirReply;
import org.mooseng.proto.ReadDirRequest;

/**
 * The two master calls the mount needs and the client library does not offer: one page of
 * a directory from a cookie (the kernel pages readdir by offset), and creating FIFOs,
 * sockets and device nodes (mknod). Both take the caller's credentials per call. A
 * NOT_LEADER reply is followed to the leader it names.
 */
final class MasterExtras implements AutoCloseable {
    private static final int MAX_REDIRECTS = 6;
    private static final int REQUEST_ID_BYTES = 16;
    private static final Metadata.Key<String> CLUSTER_ID_KEY =
            Metadata.Key.of(Layout.CLUSTER_ID_HEADER, Metadata.ASCII_STRING_MARSHALLER);

    private final String clusterId;
    private final long timeoutMs;
    private volatile ManagedChannel channel;
    private volatile MasterClientServiceBlockingStub stub;

    MasterExtras(ClientOptions options, String clusterId) {
        this.clusterId = clusterId;
        this.timeoutMs = options.rpcTimeoutMs();
        connect(options.masters().getFirst());
    }

    private synchronized void connect(MasterAddress address) {
        ManagedChannel previous = channel;
        channel = Grpc.newChannelBuilderForAddress(address.host(), address.port(), InsecureChannelCredentials.create())
                .maxInboundMessageSize(64 << 20).build();
        stub = MasterClientServiceGrpc.newBlockingStub(channel).withInterceptors(new ClusterIdInterceptor());
        if (previous != null) {
            previous.shutdown();
        }
    }

    static Credentials credentials(UserCredentials user) {
        return Credentials.newBuilder().setUid(user.uid()).setGid(user.gid()).addAllGroups(user.groups()).build();
    }

    /** Entries after {@code cookie} (0 = from the start), at most {@code maxEntries}. */
    ReadDirReply readDirPage(UserCredentials user, InodeId directory, long cookie, int maxEntries)
            throws MoosengException {
        ReadDirRequest request = ReadDirRequest.newBuilder().setCred(credentials(user)).setInode(directory.value())
                .setCookie(cookie).setMaxEntries(maxEntries).build();
        ReadDirReply reply = call(directory.toString(), s -> s.readDir(request), ReadDirReply::getStatus,
                ReadDirReply::getMessage);
        check(reply.getStatus(), directory.toString(), reply.getMessage());
        return reply;
    }

    /** Creates a FIFO, socket or device node; the mode holds permission bits only. */
    void mknod(UserCredentials user, InodeId parent, String name, org.mooseng.proto.FileType type, int mode,
               long rdev) throws MoosengException {
        byte[] id = new byte[REQUEST_ID_BYTES];
        ThreadLocalRandom.current().nextBytes(id);
        MetaOp op = MetaOp.newBuilder().setCred(credentials(user)).setRequestId(com.google.protobuf.ByteString.copyFrom(id))
                .setCreate(CreateOp.newBuilder().setParent(parent.value()).setName(name).setType(type)
                        .setMode(mode & 07777).setRdev(rdev).setExclusive(true))
                .build();
        MutateRequest request = MutateRequest.newBuilder().setOp(op).build();
        String subject = parent + "/" + name;
        MetaResult result = call(subject, s -> s.mutate(request), MetaResult::getStatus, MetaResult::getMessage);
        check(result.getStatus(), subject, result.getMessage());
    }

    private <T> T call(String subject, Function<MasterClientServiceBlockingStub, T> rpc,
                       Function<T, Integer> status, Function<T, String> message) throws MoosengException {
        for (int redirects = 0; ; redirects++) {
            T reply;
            try {
                reply = rpc.apply(stub.withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS));
            } catch (StatusRuntimeException e) {
                throw new MoosengException(e.getStatus().getCode() == io.grpc.Status.Code.DEADLINE_EXCEEDED
                        ? Status.ETIMEDOUT : Status.EIO, subject, e.getStatus().toString(), e);
            }
            if (status.apply(reply) != Status.NOT_LEADER.code() || redirects >= MAX_REDIRECTS) {
                return reply;
            }
            String leader = message.apply(reply).strip();
            if (leader.isEmpty()) {
                throw new MoosengException(Status.NOT_LEADER, subject, "no leader known");
            }
            connect(MasterAddress.parse(leader));
        }
    }

    private static void check(int code, String subject, String detail) throws MoosengException {
        if (code != 0) {
            throw new MoosengException(Status.fromCode(code), subject, detail);
        }
    }

    @Override
    public void close() {
        channel.shutdownNow();
    }

    private final class ClusterIdInterceptor implements ClientInterceptor {
        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions callOptions,
                                                     Channel next) {
            return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, callOptions)) {
                @Override
                public void start(Listener<R> responseListener, Metadata headers) {
                    headers.put(CLUSTER_ID_KEY, clusterId);
                    super.start(responseListener, headers);
                }
            };
        }
    }
}
