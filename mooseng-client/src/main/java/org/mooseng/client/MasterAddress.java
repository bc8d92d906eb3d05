package org.mooseng.client;

import org.mooseng.common.Layout;

/** A master's client endpoint. */
public record MasterAddress(String host, int port) {
    public MasterAddress {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("master host is required");
        }
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("master port out of range: " + port);
        }
    }

    /** Parses "host", "host:port", "[v6addr]:port" or a bare IPv6 address; the port defaults to 9421. */
    public static MasterAddress parse(String hostAndPort) {
        String s = hostAndPort.trim();
        String host;
        String port = null;
        if (s.startsWith("[") && s.indexOf(']') > 0) {
            int end = s.indexOf(']');
            host = s.substring(1, end);
            if (s.startsWith(":", end + 1)) {
                port = s.substring(end + 2);
            }
        } else if (s.indexOf(':') > 0 && s.indexOf(':') == s.lastIndexOf(':')) {
            host = s.substring(0, s.indexOf(':'));
            port = s.substring(s.indexOf(':') + 1);
        } else {
            host = s; // a name, or a bare IPv6 address
        }
        try {
            return new MasterAddress(host, port == null ? Layout.DEFAULT_MASTER_CLIENT_PORT : Integer.parseInt(port));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad master port in '" + hostAndPort + "'");
        }
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
