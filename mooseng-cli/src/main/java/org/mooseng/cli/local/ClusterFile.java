package org.mooseng.cli.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.mooseng.cli.CliException;

/**
 * The client's view of a cluster: {@code DIR/mooseng-cluster.conf} with the lines
 * {@code MASTER = host:port} (the master's client port) and {@code CLUSTER_ID = id}.
 * {@code mooseng up} writes it; the fs and admin commands read it.
 */
public record ClusterFile(String masterHost, int masterPort, String clusterId) {
    public static final String FILE_NAME = "mooseng-cluster.conf";

    /**
     * The cluster file of a local cluster directory ({@code null}: the default
     * {@value LocalLayout#DEFAULT_DIR}), read and checked.
     */
    public static ClusterFile ofLocalCluster(Path dir) throws IOException {
        return read(new LocalLayout(dir != null ? dir : Path.of(LocalLayout.DEFAULT_DIR)).clusterFile());
    }

    public String masterAddress() {
        return masterHost + ":" + masterPort;
    }

    public void write(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temporary, "# MooseNG cluster access, written by 'mooseng up'.\n"
                + "MASTER = " + masterAddress() + "\n"
                + "CLUSTER_ID = " + clusterId + "\n", StandardCharsets.UTF_8);
        Files.move(temporary, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** Reads a cluster file; a missing or malformed file is a {@link CliException} naming it. */
    public static ClusterFile read(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new CliException(file + ": no cluster file (start a local cluster with: mooseng up)");
        }
        Map<String, String> values = new HashMap<>();
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].replaceFirst("#.*", "").strip();
            if (line.isEmpty()) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new CliException(file + ":" + (i + 1) + ": expected KEY = VALUE");
            }
            values.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
        }
        String master = values.get("MASTER");
        String clusterId = values.get("CLUSTER_ID");
        if (master == null || clusterId == null || clusterId.isEmpty()) {
            throw new CliException(file + ": needs both MASTER = host:port and CLUSTER_ID = id");
        }
        int colon = master.lastIndexOf(':');
        try {
            return new ClusterFile(master.substring(0, colon), Integer.parseInt(master.substring(colon + 1)), clusterId);
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new CliException(file + ": MASTER must be host:port, got '" + master + "'");
        }
    }
}
