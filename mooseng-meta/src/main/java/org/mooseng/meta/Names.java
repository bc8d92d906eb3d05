package org.mooseng.meta;

import java.nio.charset.StandardCharsets;
import org.mooseng.common.Layout;
import org.mooseng.common.Status;
import org.mooseng.common.StatusException;

/** Validation of directory entry names. */
final class Names {
    private Names() {
    }

    /** A name that a new entry may get: non-empty, not "." or "..", no '/' or NUL, at most 255 UTF-8 bytes. */
    static void requireCreatable(String name) throws StatusException {
        requireLookupable(name);
        if (name.equals(".") || name.equals("..")) {
            throw new StatusException(Status.EINVAL, "name '" + name + "' is reserved");
        }
    }

    /** A name that may be looked up or removed: the same rules, except that "." and ".." are left to the caller. */
    static void requireLookupable(String name) throws StatusException {
        if (name.isEmpty()) {
            throw new StatusException(Status.EINVAL, "empty name");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > Layout.MAX_NAME_BYTES) {
            throw new StatusException(Status.ENAMETOOLONG, "name longer than " + Layout.MAX_NAME_BYTES + " bytes");
        }
        if (name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
            throw new StatusException(Status.EINVAL, "name contains '/' or NUL");
        }
    }

    static boolean isDotOrDotDot(String name) {
        return name.equals(".") || name.equals("..");
    }
}
