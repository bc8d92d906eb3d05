package org.mooseng.chunkserver.master;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * Who this chunk server is: a server id created at first start (DATA_DIR/server-id) and the
 * cluster id adopted from the master at first registration (DATA_DIR/cluster-id). Both are
 * kept for the lifetime of the data directory, so a restarted server is recognised and a
 * server is never moved to another cluster by accident.
 */
public final class ServerIdentity {
    private final Path clusterIdFile;
    private final String serverId;
    private volatile String clusterId;

    private ServerIdentity(Path clusterIdFile, String serverId, String clusterId) {
        this.clusterIdFile = clusterIdFile;
        this.serverId = serverId;
        this.clusterId = clusterId;
    }

    public static ServerIdentity load(Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        Path serverIdFile = dataDir.resolve("server-id");
        String serverId = readTrimmed(serverIdFile);
        if (serverId == null) {
            serverId = UUID.randomUUID().toString();
            writeAtomically(serverIdFile, serverId);
        }
        Path clusterIdFile = dataDir.resolve("cluster-id");
        return new ServerIdentity(clusterIdFile, serverId, readTrimmed(clusterIdFile));
    }

    public String serverId() {
        return serverId;
    }

    /** The cluster this server belongs to, or null before its first registration. */
    public String clusterId() {
        return clusterId;
    }

    /** Stores the cluster id received at first registration; refuses to replace a different one. */
    public synchronized void adoptClusterId(String id) throws IOException {
        if (clusterId != null) {
            if (!clusterId.equals(id)) {
                throw new IllegalStateException("server " + serverId + " already belongs to cluster " + clusterId);
            }
            return;
        }
        writeAtomically(clusterIdFile, id);
        clusterId = id;
    }

    private static String readTrimmed(Path file) throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        String text = Files.readString(file, StandardCharsets.UTF_8).strip();
        return text.isEmpty() ? null : text;
    }

    private static void writeAtomically(Path file, String value) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        try (var channel = java.nio.channels.FileChannel.open(temporary, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
            channel.write(java.nio.ByteBuffer.wrap((value + "\n").getBytes(StandardCharsets.UTF_8)));
            channel.force(true);
        }
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
