package org.mooseng.protocol.rpc;

import io.grpc.Metadata;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Converts gRPC {@link Metadata} to and from the header entries of a frame. */
final class WireMetadata {
    /** Keys are few (the cluster id, a handful of others); the bound keeps a stray peer from growing it. */
    private static final int MAX_CACHED_KEYS = 256;
    private static final Map<String, Metadata.Key<String>> ASCII_KEYS = new ConcurrentHashMap<>();
    private static final Map<String, Metadata.Key<byte[]>> BINARY_KEYS = new ConcurrentHashMap<>();

    private WireMetadata() {
    }

    static List<RpcFrame.Header> toHeaders(Metadata metadata) {
        if (metadata == null || metadata.keys().isEmpty()) {
            return List.of();
        }
        List<RpcFrame.Header> headers = new ArrayList<>();
        for (String name : metadata.keys()) {
            if (name.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
                for (byte[] value : metadata.getAll(binaryKey(name))) {
                    headers.add(new RpcFrame.Header(name, value));
                }
            } else {
                for (String value : metadata.getAll(asciiKey(name))) {
                    headers.add(new RpcFrame.Header(name, value.getBytes(StandardCharsets.US_ASCII)));
                }
            }
        }
        return headers;
    }

    /** Throws IllegalArgumentException for a key gRPC does not accept. */
    static Metadata toMetadata(List<RpcFrame.Header> headers) {
        Metadata metadata = new Metadata();
        for (RpcFrame.Header header : headers) {
            String name = header.key();
            if (name.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
                metadata.put(binaryKey(name), header.value());
            } else {
                metadata.put(asciiKey(name), new String(header.value(), StandardCharsets.US_ASCII));
            }
        }
        return metadata;
    }

    private static Metadata.Key<String> asciiKey(String name) {
        Metadata.Key<String> key = ASCII_KEYS.get(name);
        if (key == null) {
            key = Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
            if (ASCII_KEYS.size() < MAX_CACHED_KEYS) {
                ASCII_KEYS.put(name, key);
            }
        }
        return key;
    }

    private static Metadata.Key<byte[]> binaryKey(String name) {
        Metadata.Key<byte[]> key = BINARY_KEYS.get(name);
        if (key == null) {
            key = Metadata.Key.of(name, Metadata.BINARY_BYTE_MARSHALLER);
            if (BINARY_KEYS.size() < MAX_CACHED_KEYS) {
                BINARY_KEYS.put(name, key);
            }
        }
        return key;
    }
}
