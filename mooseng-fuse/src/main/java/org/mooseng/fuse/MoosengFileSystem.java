package org.mooseng.fuse;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.mooseng.client.FileStat;
import org.mooseng.client.FileType;
import org.mooseng.client.FsStats;
import org.mooseng.client.MoosengClient;
import org.mooseng.client.MoosengException;
import org.mooseng.client.MoosengFile;
import org.mooseng.common.InodeId;
import org.mooseng.common.Layout;
import org.mooseng.fuse.ll.AttributeChange;
import org.mooseng.fuse.ll.Caller;
import org.mooseng.fuse.ll.DirectoryItem;
import org.mooseng.fuse.ll.FileAttributes;
import org.mooseng.fuse.ll.FuseOperations;
import org.mooseng.fuse.ll.Reply;
import org.mooseng.proto.DirEntry;
import org.mooseng.proto.ReadDirReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The POSIX view of a cluster for the kernel: each FUSE operation mapped onto the client
 * library, with the caller's credentials. Inode numbers are the master's own (its root is
 * 1, FUSE's root id), so no inode table is kept and forget has nothing to do. Open files
 * live in a concurrent map keyed by the handle given to the kernel; the data path takes no
 * lock beyond the handle's own.
 */
public final class MoosengFileSystem implements FuseOperations, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MoosengFileSystem.class);
    static final int ENOENT = 2;
    static final int EBADF = 9;
    static final int EINVAL = 22;
    static final int EPERM = 1;
    /** Offsets 1 and 2 are "." and ".."; a master cookie c is offset c + 2. */
    static final long FIRST_COOKIE_OFFSET = 2;
    private static final long STATFS_BLOCK_BYTES = 4096;
    private static final long STATFS_FREE_INODES = 1L << 32;
    private static final int RENAME_KNOWN_FLAGS = 1 | 2;
    /** Bytes a readdir entry takes at least (24-byte header plus a short name); bounds the page asked for. */
    private static final int MIN_DIRENT_BYTES = 32;
    private static final int MAX_PAGE_ENTRIES = 1024;

    private final CallerClients clients;
    private final MasterExtras extras;
    private final double attrTimeoutSeconds;
    private final double entryTimeoutSeconds;
    private final AtomicLong nextHandle = new AtomicLong(1);
    private final Map<Long, OpenFile> openFiles = new ConcurrentHashMap<>();
    private final Map<Long, Set<OpenFile>> writersByInode = new ConcurrentHashMap<>();

    MoosengFileSystem(CallerClients clients, MasterExtras extras, double attrTimeoutSeconds,
                      double entryTimeoutSeconds) {
        this.clients = clients;
        this.extras = extras;
        this.attrTimeoutSeconds = attrTimeoutSeconds;
        this.entryTimeoutSeconds = entryTimeoutSeconds;
    }

    /** Something that asks the master; a MoosengException becomes its errno. */
    @FunctionalInterface
    private interface Step {
        Reply run() throws MoosengException;
    }

    private static Reply errnoOf(Step step) {
        try {
            return step.run();
        } catch (MoosengException e) {
            LOG.debug("{}", e.getMessage());
            return Reply.error(e.errno());
        }
    }

    private MoosengClient client(Caller caller) throws MoosengException {
        return clients.forCaller(caller);
    }

    private Reply.Entry entry(FileStat stat) {
        return new Reply.Entry(AttributeMapping.toKernel(stat, sizeWithOpenWrites(stat)), attrTimeoutSeconds,
                entryTimeoutSeconds);
    }

    private Reply attributes(FileStat stat) {
        return new Reply.Attributes(AttributeMapping.toKernel(stat, sizeWithOpenWrites(stat)), attrTimeoutSeconds);
    }

    /** The master's size, or the end of writes still in flight on open handles when that is larger. */
    private long sizeWithOpenWrites(FileStat stat) {
        Set<OpenFile> writers = writersByInode.get(stat.inode().value());
        long size = stat.sizeBytes();
        if (writers != null) {
            for (OpenFile writer : writers) {
                size = Math.max(size, writer.writtenEnd().get());
            }
        }
        return size;
    }

    private static InodeId inode(long value) {
        return new InodeId(value);
    }

    // ------------------------------------------------------------ names and attributes

    @Override
    public Reply lookup(Caller caller, long parent, String name) {
        return errnoOf(() -> entry(client(caller).lookup(inode(parent), name)));
    }

    @Override
    public Reply forget(long inode, long lookups) {
        return Reply.NONE;
    }

    @Override
    public Reply getattr(Caller caller, long inode, long handle) {
        return errnoOf(() -> attributes(client(caller).stat(inode(inode))));
    }

    @Override
    public Reply setattr(Caller caller, long inode, AttributeChange change, long handle) {
        return errnoOf(() -> {
            MoosengClient client = client(caller);
            var op = AttributeMapping.setAttr(change);
            if (op.getValid() == 0) {
                return attributes(client.stat(inode(inode)));
            }
            if (change.has(AttributeChange.SET_SIZE)) {
                // Writes still in flight would land after the cut: commit them first.
                commitWriters(inode);
            }
            return attributes(client.setAttr(inode(inode), op));
        });
    }

    private void commitWriters(long inode) throws MoosengException {
        Set<OpenFile> writers = writersByInode.get(inode);
        if (writers == null) {
            return;
        }
        for (OpenFile writer : writers) {
            writer.file().fsync();
            writer.writtenEnd().set(0);
        }
    }

    @Override
    public Reply readlink(Caller caller, long inode) {
        return errnoOf(() -> new Reply.Readlink(client(caller).readlink(inode(inode))));
    }

    @Override
    public Reply mknod(Caller caller, long parent, String name, int mode, long rdev) {
        org.mooseng.proto.FileType type = AttributeMapping.nodeType(mode);
        if (type == null) {
            return Reply.error(EINVAL);
        }
        return errnoOf(() -> {
            MoosengClient client = client(caller);
            if (type == org.mooseng.proto.FileType.REGULAR) {
                return entry(client.create(inode(parent), name, mode & 07777, true));
            }
            extras.mknod(client.options().credentials(), inode(parent), name, type, mode, rdev);
            return entry(client.lookup(inode(parent), name));
        });
    }

    @Override
    public Reply mkdir(Caller caller, long parent, String name, int mode) {
        return errnoOf(() -> entry(client(caller).mkdir(inode(parent), name, mode & 07777)));
    }

    @Override
    public Reply unlink(Caller caller, long parent, String name) {
        return errnoOf(() -> {
            client(caller).unlink(inode(parent), name);
            return Reply.OK;
        });
    }

    @Override
    public Reply rmdir(Caller caller, long parent, String name) {
        return errnoOf(() -> {
            client(caller).rmdir(inode(parent), name);
            return Reply.OK;
        });
    }

    @Override
    public Reply symlink(Caller caller, String target, long parent, String name) {
        return errnoOf(() -> entry(client(caller).symlink(inode(parent), name, target)));
    }

    @Override
    public Reply rename(Caller caller, long parent, String name, long newParent, String newName, int flags) {
        if ((flags & ~RENAME_KNOWN_FLAGS) != 0) {
            return Reply.error(EINVAL);
        }
        return errnoOf(() -> {
            client(caller).rename(inode(parent), name, inode(newParent), newName, flags);
            return Reply.OK;
        });
    }

    @Override
    public Reply link(Caller caller, long inode, long newParent, String newName) {
        return errnoOf(() -> entry(client(caller).link(inode(inode), inode(newParent), newName)));
    }

    // ------------------------------------------------------------ file data

    @Override
    public Reply open(Caller caller, long inode, int flags) {
        return errnoOf(() -> openReply(client(caller).open(inode(inode), AttributeMapping.openFlags(flags)),
                inode, flags));
    }

    private Reply.Open openReply(MoosengFile file, long inode, int flags) {
        long handle = nextHandle.getAndIncrement();
        OpenFile open = new OpenFile(handle, inode, file, AttributeMapping.writable(flags));
        openFiles.put(handle, open);
        if (open.writable()) {
            writersByInode.computeIfAbsent(inode, k -> ConcurrentHashMap.newKeySet()).add(open);
        }
        return new Reply.Open(handle, false, false);
    }

    @Override
    public Reply create(Caller caller, long parent, String name, int mode, int flags) {
        return errnoOf(() -> {
            MoosengClient client = client(caller);
            FileStat created = client.create(inode(parent), name, mode & 07777,
                    (flags & AttributeMapping.O_EXCL) != 0);
            MoosengFile file = client.open(created.inode(), AttributeMapping.openFlags(flags));
            return new Reply.Create(entry(created), openReply(file, created.inode().value(), flags));
        });
    }

    @Override
    public Reply read(Caller caller, long inode, long handle, long offset, ByteBuffer target) {
        OpenFile open = openFiles.get(handle);
        if (open == null) {
            return Reply.error(EBADF);
        }
        return errnoOf(() -> {
            int n = open.file().read(offset, target);
            return new Reply.Data(Math.max(n, 0));
        });
    }

    @Override
    public Reply write(Caller caller, long inode, long handle, long offset, ByteBuffer source) {
        OpenFile open = openFiles.get(handle);
        if (open == null) {
            return Reply.error(EBADF);
        }
        return errnoOf(() -> {
            int n = open.file().write(offset, source);
            open.writtenEnd().accumulateAndGet(offset + n, Math::max);
            return new Reply.Written(n);
        });
    }

    /** Every close(2) of a descriptor: commit, so another client (or a stat) sees the data. */
    @Override
    public Reply flush(Caller caller, long inode, long handle) {
        OpenFile open = openFiles.get(handle);
        if (open == null) {
            return Reply.error(EBADF);
        }
        return errnoOf(() -> {
            if (open.writable()) {
                open.file().fsync();
            }
            return Reply.OK;
        });
    }

    @Override
    public Reply release(Caller caller, long inode, long handle) {
        OpenFile open = openFiles.remove(handle);
        if (open == null) {
            return Reply.error(EBADF);
        }
        Set<OpenFile> writers = writersByInode.get(open.inode());
        try {
            return errnoOf(() -> {
                open.file().close();
                return Reply.OK;
            });
        } finally {
            if (writers != null) {
                writers.remove(open);
                writersByInode.computeIfPresent(open.inode(), (k, set) -> set.isEmpty() ? null : set);
            }
        }
    }

    @Override
    public Reply fsync(Caller caller, long inode, long handle, boolean dataOnly) {
        OpenFile open = openFiles.get(handle);
        if (open == null) {
            return Reply.error(EBADF);
        }
        return errnoOf(() -> {
            open.file().fsync();
            return Reply.OK;
        });
    }

    // ------------------------------------------------------------ directories

    @Override
    public Reply opendir(Caller caller, long inode, int flags) {
        return errnoOf(() -> {
            FileStat dir = client(caller).stat(inode(inode));
            if (!dir.isDirectory()) {
                return Reply.error(20);
            }
            // Directory pages are fetched by cookie on every readdir: no per-handle state.
            return new Reply.Open(0, false, false);
        });
    }

    @Override
    public Reply readdir(Caller caller, long inode, long handle, long offset, long maxBytes) {
        return errnoOf(() -> {
            List<DirectoryItem> items = new ArrayList<>();
            if (offset < 1) {
                items.add(new DirectoryItem(".", inode, FileAttributes.S_IFDIR, 1));
            }
            if (offset < 2) {
                items.add(new DirectoryItem("..", inode, FileAttributes.S_IFDIR, 2));
            }
            long cookie = Math.max(0, offset - FIRST_COOKIE_OFFSET);
            int pageEntries = (int) Math.clamp(maxBytes / MIN_DIRENT_BYTES, 1, MAX_PAGE_ENTRIES);
            ReadDirReply page = extras.readDirPage(client(caller).options().credentials(), inode(inode), cookie,
                    pageEntries);
            for (DirEntry e : page.getEntriesList()) {
                items.add(new DirectoryItem(e.getName(), e.getInode(),
                        AttributeMapping.typeBits(fileType(e.getType())), e.getCookie() + FIRST_COOKIE_OFFSET));
            }
            return new Reply.Directory(items);
        });
    }

    private static FileType fileType(org.mooseng.proto.FileType type) {
        return switch (type) {
            case DIRECTORY -> FileType.DIRECTORY;
            case SYMLINK -> FileType.SYMLINK;
            case FIFO -> FileType.FIFO;
            case SOCKET -> FileType.SOCKET;
            case BLOCK_DEVICE -> FileType.BLOCK_DEVICE;
            case CHAR_DEVICE -> FileType.CHAR_DEVICE;
            case REGULAR, FILE_TYPE_UNSPECIFIED, UNRECOGNIZED -> FileType.REGULAR;
        };
    }

    @Override
    public Reply releasedir(Caller caller, long inode, long handle) {
        return Reply.OK;
    }

    // ------------------------------------------------------------ file system, xattrs, access

    @Override
    public Reply statfs(Caller caller, long inode) {
        return errnoOf(() -> {
            FsStats stats = client(caller).statfs();
            long blocks = stats.totalBytes() / STATFS_BLOCK_BYTES;
            long free = stats.freeBytes() / STATFS_BLOCK_BYTES;
            return new Reply.Statfs(STATFS_BLOCK_BYTES, blocks, free, free, stats.inodes() + STATFS_FREE_INODES,
                    STATFS_FREE_INODES, Layout.MAX_NAME_BYTES);
        });
    }

    @Override
    public Reply setxattr(Caller caller, long inode, String name, byte[] value, int flags) {
        return errnoOf(() -> {
            client(caller).setxattr(inode(inode), name, value, flags);
            return Reply.OK;
        });
    }

    @Override
    public Reply getxattr(Caller caller, long inode, String name, long size) {
        return errnoOf(() -> XattrReplies.value(client(caller).getxattr(inode(inode), name), size));
    }

    @Override
    public Reply listxattr(Caller caller, long inode, long size) {
        return errnoOf(() -> XattrReplies.value(XattrReplies.nameList(client(caller).listxattr(inode(inode))), size));
    }

    @Override
    public Reply removexattr(Caller caller, long inode, String name) {
        return errnoOf(() -> {
            client(caller).removexattr(inode(inode), name);
            return Reply.OK;
        });
    }

    @Override
    public Reply access(Caller caller, long inode, int mask) {
        return errnoOf(() -> {
            client(caller).access(inode(inode), mask);
            return Reply.OK;
        });
    }

    /** Open handles, for diagnostics and tests. */
    int openHandles() {
        return openFiles.size();
    }

    /** Closes every handle the kernel did not release (the mount went away under them). */
    @Override
    public void close() {
        for (OpenFile open : List.copyOf(openFiles.values())) {
            try {
                open.file().close();
            } catch (MoosengException e) {
                LOG.warn("{}: closing at unmount failed: {}", open.file().path(), e.getMessage());
            }
        }
        openFiles.clear();
        writersByInode.clear();
    }
}
