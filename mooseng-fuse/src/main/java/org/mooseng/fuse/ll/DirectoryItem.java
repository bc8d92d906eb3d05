package org.mooseng.fuse.ll;

/**
 * One entry of a readdir reply.
 *
 * @param mode       only the file type bits matter (the kernel takes d_type from them)
 * @param nextOffset the offset readdir is called with to continue after this entry
 */
public record DirectoryItem(String name, long inode, int mode, long nextOffset) {
}
