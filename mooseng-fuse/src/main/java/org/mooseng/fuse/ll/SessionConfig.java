package org.mooseng.fuse.ll;

import java.nio.file.Path;
import java.util.List;

/**
 * How a session mounts and serves.
 *
 * @param mountOptions   passed to libfuse as one "-o a,b,c" (fsname=..., allow_other, ...)
 * @param maxWriteBytes  largest write the kernel sends in one request
 * @param maxThreads     worker threads of the multi-threaded loop
 */
public record SessionConfig(Path mountpoint, List<String> mountOptions, int maxWriteBytes, int maxReadaheadBytes,
                            int maxThreads, boolean debug) {
    public SessionConfig {
        mountOptions = List.copyOf(mountOptions);
        if (maxWriteBytes < 4096 || maxReadaheadBytes < 0 || maxThreads < 1) {
            throw new IllegalArgumentException("bad session limits: max write " + maxWriteBytes + ", readahead "
                    + maxReadaheadBytes + ", threads " + maxThreads);
        }
    }

    /** The argv handed to fuse_session_new. */
    public List<String> arguments() {
        List<String> args = new java.util.ArrayList<>(List.of("mooseng"));
        if (!mountOptions.isEmpty()) {
            args.add("-o");
            args.add(String.join(",", mountOptions));
        }
        if (debug) {
            args.add("-d");
        }
        return args;
    }
}
