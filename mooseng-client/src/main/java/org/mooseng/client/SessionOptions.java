package org.mooseng.client;

/**
 * Whether the client opens a session with the master (a mount does; one-shot tools need not).
 * With a session, files opened through the client are registered with the master: an
 * unlinked file stays readable and writable while open, permission is checked once at open,
 * and locks can be taken.
 *
 * @param enabled    open a session at connect, renew it in the background, close it at close()
 * @param sessionId  0 = the master assigns one; otherwise a positive id chosen by the client
 *                   (reconnecting with the same id keeps the session's open files)
 * @param host       shown in admin views (defaults to this machine's name)
 * @param mountPoint shown in admin views
 */
public record SessionOptions(boolean enabled, long sessionId, String host, String mountPoint) {
    public SessionOptions {
        if (sessionId < 0) {
            throw new IllegalArgumentException("session id must not be negative: " + sessionId);
        }
        host = host == null ? "" : host;
        mountPoint = mountPoint == null ? "" : mountPoint;
    }

    public static SessionOptions none() {
        return new SessionOptions(false, 0, "", "");
    }

    /** A session with a master-assigned id, this machine's name and the given mount point. */
    public static SessionOptions forMount(String mountPoint) {
        return new SessionOptions(true, 0, localHostName(), mountPoint);
    }

    static String localHostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}
