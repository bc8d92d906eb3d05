package org.mooseng.common;

/** A failure that carries its {@link Status}: the one exception type that crosses module APIs. */
public class StatusException extends Exception {
    private final Status status;

    public StatusException(Status status, String message) {
        super(status.name() + ": " + message);
        this.status = status;
    }

    public StatusException(Status status, String message, Throwable cause) {
        super(status.name() + ": " + message, cause);
        this.status = status;
    }

    public Status status() {
        return status;
    }
}
