package org.mooseng.client;

import java.io.IOException;
import org.mooseng.common.Status;

/**
 * A failed client operation. The message starts with the path or inode it concerns, then
 * the status text, so it can be printed to a user as it is ("/a/b: no such file or directory").
 */
public final class MoosengException extends IOException {
    private final Status status;

    public MoosengException(Status status, String subject) {
        this(status, subject, "", null);
    }

    public MoosengException(Status status, String subject, String detail) {
        this(status, subject, detail, null);
    }

    public MoosengException(Status status, String subject, String detail, Throwable cause) {
        super(subject + ": " + status.description()
                + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")"), cause);
        if (status.isOk()) {
            throw new IllegalArgumentException("an exception needs a failure status: " + subject);
        }
        this.status = status;
    }

    public Status status() {
        return status;
    }

    /** The errno a POSIX caller (FUSE, a shell) should see. */
    public int errno() {
        return status.errno();
    }

    /** Throws when a wire status code is not OK. */
    static void check(int code, String subject, String detail) throws MoosengException {
        if (code != 0) {
            throw new MoosengException(Status.fromCode(code), subject, detail);
        }
    }
}
