package org.mooseng.client;

/** Kinds of inode, as stat(2) distinguishes them. */
public enum FileType {
    REGULAR,
    DIRECTORY,
    SYMLINK,
    FIFO,
    SOCKET,
    BLOCK_DEVICE,
    CHAR_DEVICE;

    static FileType from(org.mooseng.proto.FileType type) {
        return switch (type) {
            case REGULAR -> REGULAR;
            case DIRECTORY -> DIRECTORY;
            case SYMLINK -> SYMLINK;
            case FIFO -> FIFO;
            case SOCKET -> SOCKET;
            case BLOCK_DEVICE -> BLOCK_DEVICE;
            case CHAR_DEVICE -> CHAR_DEVICE;
            case FILE_TYPE_UNSPECIFIED, UNRECOGNIZED -> throw new IllegalArgumentException("unknown file type " + type);
        };
    }
}
