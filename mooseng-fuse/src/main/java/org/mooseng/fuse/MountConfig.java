package org.mooseng.fuse;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.mooseng.client.ClientOptions;
import org.mooseng.fuse.ll.SessionConfig;

/**
 * What {@code mooseng mount} was asked for. {@code options} are the -o options as given;
 * {@code attr_timeout=S}, {@code entry_timeout=S}, {@code max_threads=N} are ours, the rest
 * go to libfuse and the kernel together with fsname=mooseng, subtype=mooseng,
 * default_permissions and, when running as root, allow_other. The atime options
 * ({@link AccessTimePolicy}) are read here too: {@code noatime} also goes to the kernel, so
 * /proc/mounts shows it; {@code relatime}, {@code strictatime} and {@code nodiratime} are
 * ours only, because libfuse 3.14 refuses them.
 */
public record MountConfig(Path mountpoint, ClientOptions client, List<String> options, boolean debug) {
    public static final double DEFAULT_TIMEOUT_SECONDS = 1.0;
    static final int MAX_WRITE_BYTES = 1 << 20;
    static final int MAX_READAHEAD_BYTES = 1 << 20;
    static final int DEFAULT_THREADS = 16;

    public MountConfig {
        mountpoint = mountpoint.toAbsolutePath().normalize();
        List<String> split = new ArrayList<>();
        for (String option : options) {
            for (String one : option.split(",")) {
                if (!one.isBlank()) {
                    split.add(one.strip());
                }
            }
        }
        options = List.copyOf(split);
        // Fields are assigned after this body: validate through the local list.
        seconds(options, "attr_timeout");
        seconds(options, "entry_timeout");
        maxThreads(options);
    }

    public double attrTimeoutSeconds() {
        return seconds(options, "attr_timeout");
    }

    public double entryTimeoutSeconds() {
        return seconds(options, "entry_timeout");
    }

    public int maxThreads() {
        return maxThreads(options);
    }

    private static int maxThreads(List<String> options) {
        String value = own(options, "max_threads");
        int threads = value == null ? DEFAULT_THREADS : Integer.parseInt(value);
        if (threads < 1) {
            throw new IllegalArgumentException("max_threads must be positive: " + threads);
        }
        return threads;
    }

    private static double seconds(List<String> options, String key) {
        String value = own(options, key);
        double seconds = value == null ? DEFAULT_TIMEOUT_SECONDS : Double.parseDouble(value);
        if (!(seconds >= 0) || Double.isInfinite(seconds)) {
            throw new IllegalArgumentException(key + " must be a non-negative number of seconds: " + value);
        }
        return seconds;
    }

    private static String own(List<String> options, String key) {
        String found = null;
        for (String option : options) {
            if (option.startsWith(key + "=")) {
                found = option.substring(key.length() + 1);
            }
        }
        return found;
    }

    private static final List<String> OWN_FLAGS = List.of("relatime", "strictatime", "nodiratime");

    private static boolean isOwn(String option) {
        return option.startsWith("attr_timeout=") || option.startsWith("entry_timeout=")
                || option.startsWith("max_threads=") || OWN_FLAGS.contains(option);
    }

    public AccessTimePolicy accessTimePolicy() {
        return AccessTimePolicy.fromOptions(options);
    }

    /** The options libfuse gets: ours first, then the user's (which may override fsname and the like). */
    public List<String> fuseOptions(boolean root) {
        List<String> result = new ArrayList<>(List.of("fsname=mooseng", "subtype=mooseng", "default_permissions"));
        if (root) {
            result.add("allow_other");
        }
        boolean strictatime = options.contains("strictatime");
        for (String option : options) {
            // strictatime overrides noatime, as in the kernel; the kernel must not show noatime then.
            boolean overridden = strictatime && option.equals("noatime");
            if (!isOwn(option) && !overridden && !result.contains(option)) {
                result.add(option);
            }
        }
        return result;
    }

    SessionConfig session(boolean root) {
        return new SessionConfig(mountpoint, fuseOptions(root), MAX_WRITE_BYTES, MAX_READAHEAD_BYTES, maxThreads(),
                debug);
    }
}
