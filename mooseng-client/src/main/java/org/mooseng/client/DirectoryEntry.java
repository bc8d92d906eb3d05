package org.mooseng.client;

import org.mooseng.common.InodeId;

/** One name in a directory listing ("." and ".." are never listed). */
public record DirectoryEntry(String name, InodeId inode, FileType type) {
}
