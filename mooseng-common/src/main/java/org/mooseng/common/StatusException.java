package org.mooseng.common;

/** A failure that carries its {@link Status}: the one exception type that crosses module APIs. */
public class StatusException extends Exception {
    private final Status status;
    private final String detail;

    public StatusException(Status status, String message) {
        super(status.name() + ": " + message);
        this.status = status;
        this.detail = message;
    }

    public StatusException(Status status, String message, Throwable cause) {
        super(status.name() + ": " + message, cause);
        this.status = status;
        this.detail = message;
    }

    /** The message without the status prefix, as it travels in a reply's message field. */
    public String detail() {
        return detail;
    }

    public Status status() {
        return status;
    }
}
