package org.mooseng.cli.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.mooseng.cli.CliException;
import org.mooseng.client.MasterAddress;

/**
 * The client's view of a cluster: {@code DIR/mooseng-cluster.conf} with the lines
 * {@code MASTERS = host:port,host:port,...} (every master's client port) and
 * {@code CLUSTER_ID = id}. {@code mooseng up} writes it; the fs, admin and mount commands read
 * it. A file with {@code MASTER = host:port} (one master, as written before groups) is read too.
 */
public record ClusterFile(List<MasterAddress> masters, String clusterId) {
    public static final String FILE_NAME = "mooseng-cluster.conf";

    public ClusterFile {
        masters = List.copyOf(masters);
        if (masters.isEmpty()) {
            throw new IllegalArgumentException("a cluster file needs at least one master");
        }
    }

    /**
     * The cluster file of a local cluster directory ({@code null}: the default
     * {@value LocalLayout#DEFAULT_DIR}), read and checked.
     */
    public static ClusterFile ofLocalCluster(Path dir) throws IOException {
        return read(new LocalLayout(dir != null ? dir : Path.of(LocalLayout.DEFAULT_DIR)).clusterFile());
    }

    /** Every master's client address, comma-separated (what {@code -H} takes). */
    public String masterAddresses() {
        return String.join(",", masters.stream().map(MasterAddress::toString).toList());
    }

    public void write(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temporary, "# MooseNG cluster access, written by 'mooseng up'.\n"
                + "MASTERS = " + masterAddresses() + "\n"
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
        String key = values.containsKey("MASTERS") ? "MASTERS" : "MASTER";
        String list = values.get(key);
        String clusterId = values.get("CLUSTER_ID");
        if (list == null || clusterId == null || clusterId.isEmpty()) {
            throw new CliException(file + ": needs both MASTERS = host:port[,host:port...] and CLUSTER_ID = id");
        }
        List<MasterAddress> masters = new ArrayList<>();
        for (String one : list.split(",")) {
            String master = one.strip();
            int colon = master.lastIndexOf(':');
            try {
                String host = master.substring(0, colon);
                if (host.startsWith("[") && host.endsWith("]")) {
                    host = host.substring(1, host.length() - 1);
                }
                masters.add(new MasterAddress(host, Integer.parseInt(master.substring(colon + 1))));
            } catch (IllegalArgumentException | StringIndexOutOfBoundsException e) {
                throw new CliException(file + ": " + key + " must be host:port[,host:port...], got '" + list + "'");
            }
        }
        return new ClusterFile(masters, clusterId);
    }
}
