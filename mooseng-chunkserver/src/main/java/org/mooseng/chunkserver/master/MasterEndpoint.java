package org.mooseng.chunkserver.master;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** A master's chunk-server port (host:port), as listed in MASTERS. */
public record MasterEndpoint(String host, int port) {
    public MasterEndpoint {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("master host is empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("master port " + port + " is outside 1..65535");
        }
    }

    /**
     * Parses a comma-separated list of host:port ({@code [v6addr]:port} for IPv6). Every entry
     * needs its port, since masters of one machine differ only by it; duplicates are refused.
     */
    public static List<MasterEndpoint> parseList(String text) {
        List<MasterEndpoint> masters = new ArrayList<>();
        Set<MasterEndpoint> seen = new LinkedHashSet<>();
        for (String raw : text.split(",")) {
            String entry = raw.strip();
            if (entry.isEmpty()) {
                continue;
            }
            MasterEndpoint master = parse(entry);
            if (!seen.add(master)) {
                throw new IllegalArgumentException("master " + master + " is listed twice");
            }
            masters.add(master);
        }
        return List.copyOf(masters);
    }

    static MasterEndpoint parse(String entry) {
        int colon = entry.lastIndexOf(':');
        if (colon <= 0 || colon == entry.length() - 1) {
            throw new IllegalArgumentException("'" + entry + "' is not host:port");
        }
        String host = entry.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("'" + entry + "': write an IPv6 address as [address]:port");
        }
        try {
            return new MasterEndpoint(host, Integer.parseInt(entry.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + entry + "': port is not a number");
        }
    }

    @Override
    public String toString() {
        return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    }
}
