package org.mooseng.client;

import java.util.List;
import org.mooseng.proto.Credentials;

/** The identity the master checks permissions against (uid 0 bypasses the checks). */
public record UserCredentials(int uid, int gid, List<Integer> groups) {
    /** Used when the process identity cannot be read: the conventional "nobody". */
    private static final int NOBODY = 65534;

    public UserCredentials {
        if (uid < 0 || gid < 0) {
            throw new IllegalArgumentException("uid and gid must not be negative: " + uid + "/" + gid);
        }
        groups = List.copyOf(groups);
    }

    public static UserCredentials root() {
        return new UserCredentials(0, 0, List.of());
    }

    /** The ids of the user running this JVM (Unix only; "nobody" elsewhere). */
    public static UserCredentials currentUser() {
        try {
            var unix = new com.sun.security.auth.module.UnixSystem();
            long[] groupIds = unix.getGroups();
            List<Integer> groups = groupIds == null ? List.of()
                    : java.util.Arrays.stream(groupIds).mapToInt(g -> (int) g).boxed().toList();
            return new UserCredentials((int) unix.getUid(), (int) unix.getGid(), groups);
        } catch (RuntimeException | LinkageError e) {
            return new UserCredentials(NOBODY, NOBODY, List.of());
        }
    }

    Credentials toProto() {
        return Credentials.newBuilder().setUid(uid).setGid(gid).addAllGroups(groups).build();
    }
}
