package org.mooseng.client;

/** Space and inode usage of the whole file system, as statfs(2) reports it. */
public record FsStats(long totalBytes, long freeBytes, long usedBytes, long inodes) {
}
