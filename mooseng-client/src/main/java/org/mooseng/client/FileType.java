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

    /** The type the protocol numbers {@code number}; IllegalArgumentException for none. */
    static FileType fromNumber(int number) {
        org.mooseng.proto.FileType type = org.mooseng.proto.FileType.forNumber(number);
        if (type == null) {
            throw new IllegalArgumentException("unknown file type " + number);
        }
        return from(type);
    }

    org.mooseng.proto.FileType toProto() {
        return switch (this) {
            case REGULAR -> org.mooseng.proto.FileType.REGULAR;
            case DIRECTORY -> org.mooseng.proto.FileType.DIRECTORY;
            case SYMLINK -> org.mooseng.proto.FileType.SYMLINK;
            case FIFO -> org.mooseng.proto.FileType.FIFO;
            case SOCKET -> org.mooseng.proto.FileType.SOCKET;
            case BLOCK_DEVICE -> org.mooseng.proto.FileType.BLOCK_DEVICE;
            case CHAR_DEVICE -> org.mooseng.proto.FileType.CHAR_DEVICE;
        };
    }
}
