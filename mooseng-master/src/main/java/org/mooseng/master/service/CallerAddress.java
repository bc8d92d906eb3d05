package org.mooseng.master.service;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/** Makes the caller's IP address available to handlers (reads prefer replicas on the caller's host). */
public final class CallerAddress implements ServerInterceptor {
    private static final Context.Key<String> HOST = Context.key("mooseng-caller-host");

    /** The calling host's IP address, or "" outside a call or for a non-IP transport. */
    public static String host() {
        String host = HOST.get();
        return host == null ? "" : host;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
        String host = remote instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : "";
        return Contexts.interceptCall(Context.current().withValue(HOST, host), call, headers, next);
    }
}
