package org.mooseng.cli.fs;

/** String helpers for cluster paths (always absolute, "/"-separated). */
final class RemotePaths {
    private RemotePaths() {
    }

    static String join(String directory, String name) {
        return directory.endsWith("/") ? directory + name : directory + "/" + name;
    }

    static String baseName(String path) {
        String trimmed = path;
        while (trimmed.length() > 1 && trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed.substring(trimmed.lastIndexOf('/') + 1);
    }
}
