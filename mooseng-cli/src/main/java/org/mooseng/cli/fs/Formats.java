package org.mooseng.cli.fs;

import org.mooseng.client.FileStat;
import org.mooseng.client.FileType;

/** Text forms shared by the fs and admin views. */
public final class Formats {
    private Formats() {
    }

    /** The ls -l mode string, e.g. "drwxr-x---" (with s/t for setuid, setgid and sticky). */
    public static String mode(FileType type, int mode) {
        char kind = switch (type) {
            case REGULAR -> '-';
            case DIRECTORY -> 'd';
            case SYMLINK -> 'l';
            case FIFO -> 'p';
            case SOCKET -> 's';
            case BLOCK_DEVICE -> 'b';
            case CHAR_DEVICE -> 'c';
        };
        StringBuilder s = new StringBuilder().append(kind);
        String rwx = "rwx";
        for (int shift = 6; shift >= 0; shift -= 3) {
            for (int bit = 0; bit < 3; bit++) {
                s.append((mode >> (shift + 2 - bit) & 1) != 0 ? rwx.charAt(bit) : '-');
            }
        }
        special(s, 3, (mode & 04000) != 0, 's');
        special(s, 6, (mode & 02000) != 0, 's');
        special(s, 9, (mode & 01000) != 0, 't');
        return s.toString();
    }

    private static void special(StringBuilder s, int index, boolean set, char letter) {
        if (set) {
            s.setCharAt(index, s.charAt(index) == 'x' ? letter : Character.toUpperCase(letter));
        }
    }

    public static String octal(int mode) {
        return String.format("%04o", mode & 07777);
    }

    /** Multi-line "key: value" view of a stat. */
    public static String stat(String path, FileStat s) {
        return "  path: " + path + "\n"
                + " inode: " + s.inode().value() + "\n"
                + "  type: " + s.type().name().toLowerCase(java.util.Locale.ROOT) + "\n"
                + "  mode: " + octal(s.mode()) + " (" + mode(s.type(), s.mode()) + ")\n"
                + "   uid: " + s.uid() + "  gid: " + s.gid() + "\n"
                + "  size: " + s.sizeBytes() + "\n"
                + " links: " + s.nlink() + "\n"
                + "  goal: " + s.goal() + "\n"
                + " atime: " + s.atime() + "\n"
                + " mtime: " + s.mtime() + "\n"
                + " ctime: " + s.ctime();
    }
}
