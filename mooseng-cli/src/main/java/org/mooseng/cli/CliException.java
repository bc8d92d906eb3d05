package org.mooseng.cli;

/** A failure whose message is already the one line the operator should read; exits with 1. */
public final class CliException extends RuntimeException {
    public CliException(String message) {
        super(message);
    }

    public CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
