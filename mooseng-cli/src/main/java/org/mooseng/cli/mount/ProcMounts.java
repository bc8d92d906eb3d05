package org.mooseng.cli.mount;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The kernel's mount table (/proc/mounts), for waiting on a mount and finding stale ones. */
public final class ProcMounts {
    private static final Path PROC_MOUNTS = Path.of("/proc/mounts");

    /** One line: source, mount point and file system type (e.g. "fuse.mooseng"). */
    public record Entry(String source, Path mountpoint, String type) {
    }

    private ProcMounts() {
    }

    public static List<Entry> parse(String text) {
        List<Entry> entries = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] fields = line.split(" ");
            if (fields.length >= 3) {
                entries.add(new Entry(unescape(fields[0]), Path.of(unescape(fields[1])), fields[2]));
            }
        }
        return entries;
    }

    /** /proc/mounts writes space, tab, newline and backslash as three-digit octal escapes. */
    static String unescape(String field) {
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && isOctal(field, i + 1)) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }

    /** The mount at exactly this path, if any (the last one wins when mounts are stacked). */
    public static Optional<Entry> find(Path mountpoint) throws IOException {
        Path wanted = mountpoint.toAbsolutePath().normalize();
        Entry found = null;
        for (Entry entry : parse(Files.readString(PROC_MOUNTS, StandardCharsets.UTF_8))) {
            if (entry.mountpoint().equals(wanted)) {
                found = entry;
            }
        }
        return Optional.ofNullable(found);
    }

    public static boolean isMooseNgMount(Path mountpoint) throws IOException {
        return find(mountpoint).map(e -> e.type().equals("fuse.mooseng")).orElse(false);
    }
}
