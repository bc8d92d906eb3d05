package org.mooseng.metalogger;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What an archive snapshot holds, written last into {@code snapshots/<index>/manifest} so a
 * snapshot without one is known to be incomplete. Text, version 1:
 * <pre>
 * mooseng-metalogger-snapshot 1
 * index 1234                       applied index of the namespace copy
 * time 1700000000 123456789        leader time of that entry's op (or: time unknown)
 * cluster-id 5f0c...               the namespace's cluster id (may be empty before formatting)
 * file store/000012.sst 12345 1a2b3c4d     name relative to the snapshot, size, CRC32C (hex)
 * crc 89abcdef                     CRC32C of every line above, newlines included
 * </pre>
 *
 * @param time empty when the snapshot was taken right after the namespace copy was replaced
 *             by a snapshot from the leader (which carries no op time); such a snapshot is
 *             not used for a restore to a point in time
 */
public record SnapshotManifest(long index, Optional<Instant> time, String clusterId, List<FileEntry> files) {
    static final String FIRST_LINE = "mooseng-metalogger-snapshot 1";

    public SnapshotManifest {
        files = List.copyOf(files);
        if (index < 0) {
            throw new IllegalArgumentException("snapshot index must not be negative: " + index);
        }
        if (clusterId.contains("\n")) {
            throw new IllegalArgumentException("cluster id with a newline");
        }
    }

    /** One file of the snapshot. */
    public record FileEntry(String name, long sizeBytes, int crc32c) {
        public FileEntry {
            if (name.isEmpty() || name.chars().anyMatch(Character::isWhitespace) || name.startsWith("/")
                    || name.contains("..")) {
                throw new IllegalArgumentException("unusable snapshot file name '" + name + "'");
            }
        }
    }

    String render() {
        StringBuilder out = new StringBuilder();
        out.append(FIRST_LINE).append('\n');
        out.append("index ").append(index).append('\n');
        if (time.isPresent()) {
            out.append("time ").append(time.get().getEpochSecond()).append(' ').append(time.get().getNano())
                    .append('\n');
        } else {
            out.append("time unknown\n");
        }
        out.append("cluster-id ").append(clusterId).append('\n');
        for (FileEntry f : files) {
            out.append("file ").append(f.name()).append(' ').append(f.sizeBytes()).append(' ')
                    .append(String.format("%08x", f.crc32c())).append('\n');
        }
        byte[] body = out.toString().getBytes(StandardCharsets.UTF_8);
        out.append("crc ").append(String.format("%08x", SegmentFormat.crc(body, 0, body.length))).append('\n');
        return out.toString();
    }

    /** Parses and checks a manifest; throws IllegalArgumentException saying what is wrong. */
    static SnapshotManifest parse(String text) {
        int crcLine = text.lastIndexOf("\ncrc ") + 1;
        if (!text.startsWith(FIRST_LINE + "\n") || crcLine <= 0 || !text.endsWith("\n")) {
            throw new IllegalArgumentException("not a complete snapshot manifest");
        }
        byte[] body = text.substring(0, crcLine).getBytes(StandardCharsets.UTF_8);
        String storedCrc = text.substring(crcLine + 4, text.length() - 1);
        if (!storedCrc.equals(String.format("%08x", SegmentFormat.crc(body, 0, body.length)))) {
            throw new IllegalArgumentException("manifest CRC32C mismatch");
        }
        String[] lines = text.substring(0, crcLine).split("\n");
        if (lines.length < 4) {
            throw new IllegalArgumentException("manifest too short");
        }
        try {
            long index = Long.parseLong(field(lines[1], "index"));
            String timeField = field(lines[2], "time");
            Optional<Instant> time;
            if (timeField.equals("unknown")) {
                time = Optional.empty();
            } else {
                String[] parts = timeField.split(" ");
                time = Optional.of(Instant.ofEpochSecond(Long.parseLong(parts[0]), Long.parseLong(parts[1])));
            }
            String clusterId = field(lines[3], "cluster-id");
            List<FileEntry> files = new ArrayList<>();
            for (int i = 4; i < lines.length; i++) {
                String[] parts = field(lines[i], "file").split(" ");
                if (parts.length != 3) {
                    throw new IllegalArgumentException("bad file line '" + lines[i] + "'");
                }
                files.add(new FileEntry(parts[0], Long.parseLong(parts[1]), Integer.parseUnsignedInt(parts[2], 16)));
            }
            return new SnapshotManifest(index, time, clusterId, files);
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException | java.time.DateTimeException e) {
            throw new IllegalArgumentException("malformed manifest: " + e.getMessage(), e);
        }
    }

    private static String field(String line, String name) {
        if (!line.startsWith(name + " ")) {
            throw new IllegalArgumentException("expected '" + name + " ...', got '" + line + "'");
        }
        return line.substring(name.length() + 1);
    }
}
