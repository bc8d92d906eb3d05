package org.mooseng.cli;

import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

/** Turns any failure of a command into the one line an operator reads. */
public final class Errors {
    private Errors() {
    }

    public static String oneLine(Throwable e) {
        String message = switch (e) {
            case CliException c -> c.getMessage();
            case NoSuchFileException n -> n.getFile() + ": no such file";
            case AccessDeniedException a -> a.getFile() + ": permission denied";
            case IllegalArgumentException i -> i.getMessage();
            default -> e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getClass().getSimpleName() + ": " + e.getMessage();
        };
        // Multi-line messages (a config file with several errors) become one line of '; '-joined parts.
        return message == null ? e.getClass().getSimpleName() : message.strip().replaceAll("\\s*\\n\\s*", "; ");
    }
}
