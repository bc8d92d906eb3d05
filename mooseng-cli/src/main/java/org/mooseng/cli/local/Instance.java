package org.mooseng.cli.local;

import org.mooseng.cli.Role;

/** One daemon of a local cluster: {@code master-1}, {@code chunkserver-2}, … */
public record Instance(Role role, int index) {
    public Instance {
        if (index < 1) {
            throw new IllegalArgumentException("instance index starts at 1, got " + index);
        }
    }

    public String name() {
        return role.command() + "-" + index;
    }
}
