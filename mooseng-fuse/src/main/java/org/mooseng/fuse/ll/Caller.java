package org.mooseng.fuse.ll;

import java.util.List;

/** Who made a request, from fuse_req_ctx and fuse_req_getgroups. */
public record Caller(int uid, int gid, int pid, int umask, List<Integer> groups) {
    public Caller {
        groups = List.copyOf(groups);
    }

    public boolean isRoot() {
        return uid == 0;
    }
}
