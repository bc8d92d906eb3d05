package org.mooseng.fuse.ll;

import java.nio.charset.StandardCharsets;

/**
 * One entry of a readdir reply.
 *
 * @param name       the name's bytes as the kernel gets them (UTF-8 for names made through a mount)
 * @param mode       only the file type bits matter (the kernel takes d_type from them)
 * @param nextOffset the offset readdir is called with to continue after this entry
 */
public record DirectoryItem(byte[] name, long inode, int mode, long nextOffset) {
    public DirectoryItem(String name, long inode, int mode, long nextOffset) {
        this(name.getBytes(StandardCharsets.UTF_8), inode, mode, nextOffset);
    }
}
