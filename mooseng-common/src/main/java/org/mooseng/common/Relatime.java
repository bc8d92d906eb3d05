package org.mooseng.common;

import java.time.Duration;
import java.time.Instant;

/**
 * Linux's relatime rule ({@code relatime_need_update} in fs/inode.c): a read moves atime only
 * when atime is not after mtime or ctime, or is a day old or more. The mount checks it on
 * the attributes it holds; the master applies it to the inode as it is when a batch of
 * accesses is applied.
 */
public final class Relatime {
    /** An atime this old is refreshed even when newer than mtime and ctime. */
    public static final Duration MAX_AGE = Duration.ofHours(24);

    private Relatime() {
    }

    public static boolean due(Instant atime, Instant mtime, Instant ctime, Instant now) {
        return !mtime.isBefore(atime) || !ctime.isBefore(atime)
                || now.getEpochSecond() - atime.getEpochSecond() >= MAX_AGE.toSeconds();
    }
}
