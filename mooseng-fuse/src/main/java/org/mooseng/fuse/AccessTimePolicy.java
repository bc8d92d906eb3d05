package org.mooseng.fuse;

import java.time.Instant;
import java.util.List;
import org.mooseng.common.Relatime;

/**
 * When a read moves a file's atime, as the Linux VFS decides it for a local file system
 * ({@code atime_needs_update} and {@code relatime_need_update} in fs/inode.c). FUSE inodes
 * are S_NOATIME in the kernel, so the mount applies the rule itself.
 *
 * @param mode        the mount's atime option
 * @param directories false with {@code nodiratime}: reading a directory never moves its atime
 */
record AccessTimePolicy(Mode mode, boolean directories) {
    /** The mount options of that name; {@link #RELATIME} is the kernel's default. */
    enum Mode {
        /** No atime update on read at all ({@code noatime}, and any {@code ro} mount). */
        NOATIME,
        /** Update when atime is not after mtime or ctime, or is a day old or more. */
        RELATIME,
        /** Update on every read ({@code strictatime}). */
        STRICTATIME
    }

    static final AccessTimePolicy DEFAULT = new AccessTimePolicy(Mode.RELATIME, true);
    /**
     * The policy the -o options ask for. As in the kernel, {@code strictatime} wins over
     * {@code noatime}, and a read-only mount never writes an atime.
     */
    static AccessTimePolicy fromOptions(List<String> options) {
        boolean directories = !options.contains("nodiratime");
        if (options.contains("ro")) {
            return new AccessTimePolicy(Mode.NOATIME, directories);
        }
        if (options.contains("strictatime")) {
            return new AccessTimePolicy(Mode.STRICTATIME, directories);
        }
        if (options.contains("noatime")) {
            return new AccessTimePolicy(Mode.NOATIME, directories);
        }
        return new AccessTimePolicy(Mode.RELATIME, directories);
    }

    boolean updatesNothing() {
        return mode == Mode.NOATIME;
    }

    /** Whether reading the inode now moves its atime to now. */
    boolean needsUpdate(boolean directory, Instant atime, Instant mtime, Instant ctime, Instant now) {
        if (mode == Mode.NOATIME || (directory && !directories)) {
            return false;
        }
        if (mode == Mode.RELATIME && !Relatime.due(atime, mtime, ctime, now)) {
            return false;
        }
        // The kernel skips an update that would store the value already there.
        return !atime.equals(now);
    }
}
