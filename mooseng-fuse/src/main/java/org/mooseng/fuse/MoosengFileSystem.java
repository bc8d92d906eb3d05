package org.mooseng.fuse;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.mooseng.client.DirectoryPage;
import org.mooseng.client.FileStat;
import org.mooseng.client.FileType;
import org.mooseng.client.FsStats;
import org.mooseng.client.MoosengClient;
import org.mooseng.client.MoosengException;
import org.mooseng.client.MoosengFile;
import org.mooseng.client.OpenFlag;
import org.mooseng.client.RecentStat;
import org.mooseng.client.UserCredentials;
import org.mooseng.common.InodeId;
import org.mooseng.common.Layout;
import org.mooseng.common.Status;
import org.mooseng.fuse.ll.AttributeChange;
import org.mooseng.fuse.ll.Caller;
import org.mooseng.fuse.ll.DirentBuffer;
import org.mooseng.fuse.ll.FileAttributes;
import org.mooseng.fuse.ll.FuseOperations;
import org.mooseng.fuse.ll.KernelCache;
import org.mooseng.fuse.ll.LockRange;
import org.mooseng.fuse.ll.Reply;
import org.mooseng.proto.SetAttrOp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The POSIX view of a cluster for the kernel: each FUSE operation mapped onto the client
 * library, with the caller's credentials (a light {@link MoosengClient#as} view per
 * request). Inode numbers are the master's own (its root is 1, FUSE's root id), so no inode
 * table is kept and forget has nothing to do. Every open is registered in the mount's
 * session, so an unlinked or replaced file stays usable through its handles. Open files
 * live in a concurrent map keyed by the handle given to the kernel; the data path takes no
 * lock beyond the handle's own (and, for O_APPEND, the file's).
 */
public final class MoosengFileSystem implements FuseOperations, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MoosengFileSystem.class);
    static final int ENOENT = 2;
    static final int EBADF = 9;
    static final int EINVAL = 22;
    static final int EPERM = 1;
    static final int ENOTDIR = 20;
    static final int EOPNOTSUPP = 95;
    static final int ENODATA = 61;
    /** The xattr the kernel asks for before every write; a new file has none. */
    private static final String FILE_CAPABILITIES = "security.capability";
    static final int S_ISUID = 04000;
    static final int S_ISGID = 02000;
    static final int O_TRUNC = 01000;
    /** Offsets 1 and 2 are "." and ".."; a master cookie c is offset c + 2. */
    static final long FIRST_COOKIE_OFFSET = 2;
    /** "." and "..", at offsets 0 and 1. */
    private static final byte[][] DOTS = {{'.'}, {'.', '.'}};
    private static final long STATFS_BLOCK_BYTES = 4096;
    private static final long STATFS_FREE_INODES = 1L << 32;
    private static final int RENAME_KNOWN_FLAGS = 1 | 2;
    /** How long a flock waits for releases of its inode in progress (see {@link #releasing}). */
    private static final long RELEASE_WAIT_NANOS = 5_000_000_000L;
    /** Bytes a readdir entry takes at least (24-byte header plus a short name); bounds the page asked for. */
    private static final int MIN_DIRENT_BYTES = 32;
    private static final int MAX_PAGE_ENTRIES = 4096;
    /**
     * The xattr namespaces stored as plain attributes; any other name is EOPNOTSUPP, as on a
     * local file system without that support. "system." holds POSIX ACLs, whose meaning the
     * mount does not implement: storing them as opaque bytes would make programs that copy
     * modes through ACLs (cp -a) lose the mode, while EOPNOTSUPP makes them use chmod.
     */
    private static final List<String> XATTR_NAMESPACES = List.of("user.", "trusted.", "security.");

    private static final int MAX_CONTENT_STAMPS = 100_000;
    private final ConcurrentHashMap<Long, ContentStamp> contentStamps = new ConcurrentHashMap<>();
    private final ContentChanges changes = new ContentChanges();
    private final MoosengClient client;
    private final MountLocks locks;
    private final double attrTimeoutSeconds;
    private final long attrTimeoutNanos;
    private final double entryTimeoutSeconds;
    private final long entryTimeoutNanos;
    private final AtomicLong nextHandle = new AtomicLong(1);
    private final Map<Long, OpenFile> openFiles = new ConcurrentHashMap<>();
    /** Open directory handles and the page each lists from. */
    private final Map<Long, DirectoryListing> openDirectories = new ConcurrentHashMap<>();
    /** Writable handles per inode; the set object also orders the O_APPEND writes of that file. */
    private final Map<Long, Set<OpenFile>> writersByInode = new ConcurrentHashMap<>();
    private final AccessTimeUpdates accessTimes;
    private final XattrCache xattrs;
    /**
     * Releases being processed, per inode. close(2) does not wait for the kernel's RELEASE, which
     * drops the handle's flock lock, so a flock that follows a close at once (another open of
     * the file) may be read before that RELEASE is done: it waits for it here.
     */
    private final Map<Long, Integer> releasing = new ConcurrentHashMap<>();
    private final Object releaseDone = new Object();
    /** Fetches the next page of open directories while the kernel reads the current one. */
    private final ExecutorService listingPrefetch =
            Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("mooseng-readdir-prefetch").factory());

    /** {@code client} must have a session (locks, and files kept while open, need one). */
    MoosengFileSystem(MoosengClient client, double attrTimeoutSeconds, double entryTimeoutSeconds) {
        this(client, attrTimeoutSeconds, entryTimeoutSeconds, AccessTimePolicy.DEFAULT, Clock.systemUTC());
    }

    MoosengFileSystem(MoosengClient client, double attrTimeoutSeconds, double entryTimeoutSeconds,
                      AccessTimePolicy accessTimePolicy, Clock clock) {
        this.client = client;
        this.locks = new MountLocks(client);
        this.attrTimeoutSeconds = attrTimeoutSeconds;
        this.attrTimeoutNanos = (long) (attrTimeoutSeconds * 1e9);
        this.entryTimeoutSeconds = entryTimeoutSeconds;
        this.entryTimeoutNanos = (long) (entryTimeoutSeconds * 1e9);
        this.accessTimes = new AccessTimeUpdates(client, accessTimePolicy, clock);
        this.xattrs = new XattrCache(attrTimeoutSeconds, System::nanoTime);
    }

    /** Where atime updates made after a reply drop the kernel's cached attributes (the mounted session). */
    void useKernelCache(KernelCache kernelCache) {
        accessTimes.useKernelCache(kernelCache);
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

    static UserCredentials identity(Caller caller) {
        return new UserCredentials(caller.uid(), caller.gid(), caller.groups());
    }

    /** The client acting as the caller; root callers of a root mount use the mount's own. */
    private MoosengClient client(Caller caller) {
        if (actsAsMount(caller)) {
            return client;
        }
        return client.as(identity(caller));
    }

    /** The identity the master checks the caller's requests against (see {@link #client}). */
    private UserCredentials credentials(Caller caller) {
        return actsAsMount(caller) ? client.options().credentials() : identity(caller);
    }

    private boolean actsAsMount(Caller caller) {
        return caller.isRoot() && client.options().credentials().uid() == 0;
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
        // The kernel looks up every name before it creates it. In a directory this mount made
        // and alone changed since, a name it did not add is absent: no more stale than an
        // entry the kernel keeps for the entry timeout (search permission: default_permissions).
        if (client(caller).knownAbsent(inode(parent), name, entryTimeoutNanos)) {
            return Reply.error(ENOENT);
        }
        return errnoOf(() -> {
            FileStat found = client(caller).lookup(inode(parent), name);
            if (accessTimes.awaitPending(found.inode().value())) {
                found = client(caller).stat(found.inode());
            }
            return entry(found);
        });
    }

    @Override
    public Reply forget(long inode, long lookups) {
        return Reply.NONE;
    }

    @Override
    public Reply getattr(Caller caller, long inode, long handle) {
        return errnoOf(() -> {
            // Writes in flight become visible (size and mtime) to a stat, as on a local file system;
            // so does the atime of a read just answered.
            commitWriters(inode);
            accessTimes.awaitPending(inode);
            MoosengClient asCaller = client(caller);
            // The kernel drops a directory's attributes after each create, mkdir or unlink in it
            // and asks before its next permission check there; the change's reply told them.
            // Given to the kernel for what is left of the attribute timeout since the change,
            // they are never older than attributes the kernel would have kept itself.
            Optional<RecentStat> recent = asCaller.recentDirectoryStat(inode(inode), attrTimeoutNanos);
            if (recent.isPresent()) {
                FileStat stat = recent.get().stat();
                return new Reply.Attributes(AttributeMapping.toKernel(stat, stat.sizeBytes()),
                        (attrTimeoutNanos - recent.get().ageNanos()) / 1e9);
            }
            return attributes(asCaller.stat(inode(inode)));
        });
    }

    @Override
    public Reply setattr(Caller caller, long inode, AttributeChange change, long handle) {
        return errnoOf(() -> {
            // An atime update of an earlier read must not land after times set now (touch -a, tar -p).
            accessTimes.awaitPending(inode);
            MoosengClient asCaller = client(caller);
            SetAttrOp.Builder op = AttributeMapping.setAttr(change);
            if (op.getValid() == 0) {
                return attributes(asCaller.stat(inode(inode)));
            }
            // Writes issued before this call must not land after it: a size cut would be undone
            // and times set explicitly (cp -a, tar -p) would be stamped over by the commit.
            commitWriters(inode);
            Reply reply;
            try {
                reply = changeAttributes(caller, asCaller, inode, op, change);
            } finally {
                xattrs.changed(inode); // owner and mode decide who may read them
            }
            if (change.has(AttributeChange.SET_SIZE)) {
                changes.changed(inode); // the mount's other handles drop what they hold of the old size
            }
            return reply;
        });
    }

    private Reply changeAttributes(Caller caller, MoosengClient asCaller, long inode, SetAttrOp.Builder op,
                                   AttributeChange change) throws MoosengException {
        if (change.has(AttributeChange.SET_MODE) && !caller.isRoot()) {
            FileStat current = asCaller.stat(inode(inode));
            if (current.uid() != caller.uid() && clearsOnlySetIdBits(current.mode(), change.mode())) {
                return killPrivileges(asCaller, inode, op, change.mode());
            }
        }
        FileStat changed = asCaller.setAttr(inode(inode), op);
        if (change.has(AttributeChange.SET_SIZE) && !caller.isRoot()) {
            changed = dropSetGidOfOutsider(caller, changed);
        }
        return attributes(changed);
    }

    /**
     * Linux (since 6.2) clears set-group-id on a write or truncate by someone outside the
     * file's group even when the group has no execute bit; the kernel's FUSE module asks for
     * that only when the group may execute, so the mount completes the rule here, with its
     * own identity as for {@link #killPrivileges}.
     */
    private FileStat dropSetGidOfOutsider(Caller caller, FileStat stat) throws MoosengException {
        int mode = stat.mode() & 07777;
        boolean inGroup = caller.gid() == stat.gid() || caller.groups().contains(stat.gid());
        if ((mode & S_ISGID) == 0 || inGroup || !stat.isRegularFile()) {
            return stat;
        }
        return client.setAttr(stat.inode(), SetAttrOp.newBuilder().setValid(SetAttrOp.Field.SET_MODE_VALUE)
                .setMode(mode & ~S_ISGID));
    }

    /** Whether the new mode is the current one with S_ISUID and/or S_ISGID taken away, and nothing else changed. */
    static boolean clearsOnlySetIdBits(int currentMode, int newMode) {
        int current = currentMode & 07777;
        int requested = newMode & 07777;
        int removed = current & ~requested;
        return requested == (current & ~removed) && removed != 0 && (removed & ~(S_ISUID | S_ISGID)) == 0;
    }

    /**
     * The kernel clears set-user-id/set-group-id bits when someone other than the owner writes
     * or truncates the file, by a setattr of the mode sent with the writer's identity (the
     * master would refuse a chmod by a non-owner). The writer must be allowed to write; the
     * other changes of the request (a truncate) are made as the writer, then the bits are
     * cleared with the mount's own identity.
     */
    private Reply killPrivileges(MoosengClient asCaller, long inode, SetAttrOp.Builder op, int newMode)
            throws MoosengException {
        int others = op.getValid() & ~SetAttrOp.Field.SET_MODE_VALUE;
        if (others != 0) {
            asCaller.setAttr(inode(inode), op.clone().setValid(others));
        } else {
            asCaller.access(inode(inode), 2);
        }
        return attributes(client.setAttr(inode(inode), SetAttrOp.newBuilder()
                .setValid(SetAttrOp.Field.SET_MODE_VALUE).setMode(newMode & 07777)));
    }

    /** Commits the writes of every handle of the file that has some in flight. */
    private void commitWriters(long inode) throws MoosengException {
        Set<OpenFile> writers = writersByInode.get(inode);
        if (writers == null) {
            return;
        }
        for (OpenFile writer : writers) {
            commit(writer);
        }
    }

    /** Commits the handle's writes in flight, if it has any; the mount's other handles of the file see them. */
    private void commit(OpenFile writer) throws MoosengException {
        long end = writer.writtenEnd().get();
        if (end > 0) {
            writer.file().fsync();
            writer.writtenEnd().compareAndSet(end, 0);
            changes.changed(writer.inode());
        }
    }

    @Override
    public Reply readlink(Caller caller, long inode) {
        return errnoOf(() -> new Reply.Readlink(client(caller).readlink(inode(inode))));
    }

    @Override
    public Reply mknod(Caller caller, long parent, String name, int mode, long rdev) {
        FileType type = AttributeMapping.nodeType(mode);
        if (type == null) {
            return Reply.error(EINVAL);
        }
        return errnoOf(() -> entry(client(caller).mknod(inode(parent), name, type, mode & 07777, rdev)));
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
        return errnoOf(() -> {
            Set<OpenFlag> openFlags = openFlags(flags);
            if (openFlags.contains(OpenFlag.TRUNCATE)) {
                commitWriters(inode);
            }
            // Registered in the mount's session: the file outlives an unlink or a replacing rename while open.
            long fetchedAt = changes.now(); // before the open answers where chunk 0 is
            MoosengFile file = client(caller).open(inode(inode), openFlags);
            boolean keepCache = keepCache(inode, file.statAtOpen(), openFlags);
            OpenFile open = register(file, inode, flags, fetchedAt);
            if (keepCache) {
                accessTimes.atCachedOpen(open, file.statAtOpen());
            }
            return new Reply.Open(open.handle(), false, keepCache);
        });
    }

    /**
     * Whether the kernel may keep the pages it cached of this file at an earlier open: only
     * for a read-only open of a file whose size and mtime are those this mount saw at its
     * previous open. Any change, through this mount or another, drops them.
     */
    private boolean keepCache(long inode, FileStat stat, Set<OpenFlag> openFlags) {
        ContentStamp now = new ContentStamp(stat.sizeBytes(), stat.mtime());
        if (contentStamps.size() >= MAX_CONTENT_STAMPS) {
            contentStamps.clear(); // bounded memory; forgetting a stamp only costs a cache refill
        }
        ContentStamp before = contentStamps.put(inode, now);
        return openFlags.equals(EnumSet.of(OpenFlag.READ)) && now.equals(before);
    }

    private record ContentStamp(long sizeBytes, java.time.Instant mtime) {
    }

    /**
     * The client's flags for open(2) flags. O_APPEND is not passed on: the mount places
     * appends itself, at the end including other handles' writes in flight.
     */
    private static Set<OpenFlag> openFlags(int flags) {
        Set<OpenFlag> result = EnumSet.copyOf(AttributeMapping.openFlags(flags));
        result.remove(OpenFlag.APPEND);
        if ((flags & O_TRUNC) != 0 && result.contains(OpenFlag.WRITE)) {
            result.add(OpenFlag.TRUNCATE);
        }
        return result;
    }

    private OpenFile register(MoosengFile file, long inode, int flags, long fetchedAt) {
        long handle = nextHandle.getAndIncrement();
        OpenFile open = new OpenFile(handle, inode, file, AttributeMapping.writable(flags),
                AttributeMapping.writable(flags) && (flags & AttributeMapping.O_APPEND) != 0, fetchedAt);
        openFiles.put(handle, open);
        if (open.writable()) {
            writersByInode.computeIfAbsent(inode, k -> ConcurrentHashMap.newKeySet()).add(open);
        }
        return open;
    }

    @Override
    public Reply create(Caller caller, long parent, String name, int mode, int flags) {
        return errnoOf(() -> {
            long fetchedAt = changes.now();
            long xattrStamp = xattrs.stamp(); // before the create: a change through this mount after it wins
            boolean exclusive = (flags & AttributeMapping.O_EXCL) != 0; // else it may find an existing file
            MoosengFile file = client(caller).createAndOpen(inode(parent), name, mode & 07777, exclusive,
                    openFlags(flags));
            FileStat created = file.statAtOpen(); // as the create committed them
            UserCredentials creator = credentials(caller);
            if (file.created()
                    && (creator.uid() == 0 || (creator.uid() == created.uid() && (created.mode() & 0400) != 0))) {
                // The kernel asks for security.capability before the first write: a file this
                // create made has none, and its creator may read its xattrs.
                xattrs.put(created.inode().value(), FILE_CAPABILITIES, creator, null, xattrStamp);
            }
            OpenFile open = register(file, created.inode().value(), flags, fetchedAt);
            return new Reply.Create(entry(created), new Reply.Open(open.handle(), false, false));
        });
    }

    @Override
    public Reply read(Caller caller, long inode, long handle, long offset, ByteBuffer target) {
        OpenFile open = openFiles.get(handle);
        if (open == null) {
            return Reply.error(EBADF);
        }
        return errnoOf(() -> {
            // Another handle's writes in flight are read back as a local file system would show them.
            Set<OpenFile> writers = writersByInode.get(inode);
            if (writers != null) {
                for (OpenFile writer : writers) {
                    if (writer != open) {
                        commit(writer);
                    }
                }
            }
            long fetchedAt = open.readsFreshAt().get();
            if (changes.changedSince(inode, fetchedAt)) {
                // Another handle's writes or a truncate: the size and chunks it holds predate them.
                long now = changes.now();
                open.file().dropCachedReads();
                open.readsFreshAt().compareAndSet(fetchedAt, now);
            }
            int n = open.file().read(offset, target);
            accessTimes.afterRead(open);
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
            if (!caller.isRoot() && !open.setIdChecked().getAndSet(true)) {
                dropSetGidOfOutsider(caller, open.file().stat());
            }
            Set<OpenFile> writers = writersByInode.get(inode);
            if (writers == null || (!open.append() && writers.size() == 1)) {
                return written(open, offset, source);
            }
            // Several handles write this file: one at a time, each after the others' writes are
            // committed, because two write sessions on one chunk would each bump its version
            // under the other. O_APPEND takes the end of the file as the master has it or as any
            // handle is writing it, under the same lock, so two appends never overlap.
            synchronized (writers) {
                for (OpenFile other : writers) {
                    if (other != open) {
                        commit(other);
                    }
                }
                long position = open.append() ? sizeWithOpenWrites(open.file().stat()) : offset;
                return written(open, position, source);
            }
        });
    }

    private static Reply written(OpenFile open, long offset, ByteBuffer source) throws MoosengException {
        int n = open.file().write(offset, source);
        open.writtenEnd().accumulateAndGet(offset + n, Math::max);
        open.atimeCheckDue().set(true); // mtime moved: the next read is due a check again
        return new Reply.Written(n);
    }

    /**
     * Every close(2) of a descriptor: commit, so another client (or a stat) sees the data, and
     * drop the closing process's POSIX locks on the file, as close(2) does.
     */
    @Override
    public Reply flush(Caller caller, long inode, long handle, long lockOwner) {
        OpenFile open = openFiles.get(handle);
        if (open == null) {
            return Reply.error(EBADF);
        }
        return errnoOf(() -> {
            try {
                if (open.writable()) {
                    open.file().fsync();
                    open.writtenEnd().set(0);
                }
            } finally {
                locks.closed(inode, lockOwner);
            }
            return Reply.OK;
        });
    }

    @Override
    public Reply release(Caller caller, long inode, long handle, long lockOwner, boolean flockRelease) {
        OpenFile open = openFiles.remove(handle);
        if (open == null) {
            return Reply.error(EBADF);
        }
        Set<OpenFile> writers = writersByInode.get(open.inode());
        releasing.merge(inode, 1, Integer::sum);
        try {
            return errnoOf(() -> {
                try {
                    if (flockRelease) {
                        locks.flockReleased(inode, lockOwner);
                    }
                } finally {
                    // Releases the open registered in the session (an unlinked file goes with its last open).
                    open.file().close();
                }
                return Reply.OK;
            });
        } finally {
            if (writers != null) {
                writers.remove(open);
                writersByInode.computeIfPresent(open.inode(), (k, set) -> set.isEmpty() ? null : set);
            }
            releasing.computeIfPresent(inode, (k, n) -> n == 1 ? null : n - 1);
            synchronized (releaseDone) {
                releaseDone.notifyAll();
            }
        }
    }

    /** Waits (a bounded time) until no release of {@code inode} is being processed. */
    private void awaitReleases(long inode) {
        long deadline = System.nanoTime() + RELEASE_WAIT_NANOS;
        synchronized (releaseDone) {
            long left;
            while (releasing.containsKey(inode) && (left = deadline - System.nanoTime()) > 0) {
                try {
                    releaseDone.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
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

    /**
     * No master call: the kernel opens only inodes it knows are directories, with permissions
     * checked (default_permissions). A directory removed meanwhile fails at its first readdir.
     */
    @Override
    public Reply opendir(Caller caller, long inode, int flags) {
        long handle = nextHandle.getAndIncrement();
        openDirectories.put(handle, listing(caller, inode));
        return new Reply.Open(handle, false, false);
    }

    private DirectoryListing listing(Caller caller, long inode) {
        MoosengClient as = client(caller);
        InodeId directory = inode(inode);
        return new DirectoryListing((cookie, max) -> as.readDirPage(directory, cookie, max), listingPrefetch);
    }

    @Override
    public Reply readdir(Caller caller, long inode, long handle, long offset, long maxBytes) {
        return errnoOf(() -> {
            long cookie = Math.max(0, offset - FIRST_COOKIE_OFFSET);
            int pageEntries = (int) Math.clamp(maxBytes / MIN_DIRENT_BYTES, 1, MAX_PAGE_ENTRIES);
            // A handle not from opendir (a caller of these operations without the kernel) lists once.
            DirectoryListing listing = openDirectories.get(handle);
            if (listing == null) {
                listing = listing(caller, inode);
            } else if (offset == 0) {
                listing.restart();
            }
            DirectoryListing.Slice slice = listing.entriesAfter(cookie, pageEntries);
            DirectoryPage page = slice.page();
            // Packed straight from the page's records, as many as fit in the kernel's buffer; a
            // dirent is at most 12 bytes longer than its record.
            int dots = offset < 1 ? 2 : offset < 2 ? 1 : 0;
            long bound = 2L * DirentBuffer.entryBytes(2)
                    + page.recordBytes(slice.from(), slice.to()) + 12L * (slice.to() - slice.from());
            DirentBuffer out = new DirentBuffer((int) Math.min(maxBytes, bound));
            boolean room = true;
            for (int d = 2 - dots; d < 2 && room; d++) {
                room = out.add(inode, FileAttributes.S_IFDIR, d + 1, DOTS[d], 0, DOTS[d].length);
            }
            for (int i = slice.from(); i < slice.to() && room; i++) {
                room = packEntry(page, i, out);
            }
            if (offset == 0) {
                accessTimes.afterListingStarted(inode);
            }
            return out.reply();
        });
    }

    /** One entry of a listing into a readdir reply; false when it does not fit. One call per entry, compiled early. */
    private static boolean packEntry(DirectoryPage page, int i, DirentBuffer out) {
        return out.add(page.inode(i), AttributeMapping.typeBits(page.type(i)), page.cookie(i) + FIRST_COOKIE_OFFSET,
                page.records(), page.nameOffset(i), page.nameLength(i));
    }

    @Override
    public Reply releasedir(Caller caller, long inode, long handle) {
        openDirectories.remove(handle);
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
        if (!knownXattrNamespace(name)) {
            return Reply.error(EOPNOTSUPP);
        }
        return errnoOf(() -> {
            try {
                client(caller).setxattr(inode(inode), name, value, flags);
            } finally {
                xattrs.changed(inode);
            }
            return Reply.OK;
        });
    }

    @Override
    public Reply getxattr(Caller caller, long inode, String name, long size) {
        if (!knownXattrNamespace(name)) {
            return Reply.error(EOPNOTSUPP);
        }
        return errnoOf(() -> {
            UserCredentials who = credentials(caller);
            Optional<XattrCache.Answer> kept = xattrs.get(inode, name, who);
            if (kept.isPresent()) {
                byte[] value = kept.get().value();
                return value == null ? Reply.error(ENODATA) : XattrReplies.value(value, size);
            }
            long stamp = xattrs.stamp();
            byte[] value;
            try {
                value = client(caller).getxattr(inode(inode), name);
            } catch (MoosengException e) {
                if (e.status() == Status.ENODATA) {
                    xattrs.put(inode, name, who, null, stamp);
                }
                throw e;
            }
            xattrs.put(inode, name, who, value, stamp);
            return XattrReplies.value(value, size);
        });
    }

    @Override
    public Reply listxattr(Caller caller, long inode, long size) {
        return errnoOf(() -> XattrReplies.value(XattrReplies.nameList(client(caller).listxattr(inode(inode))), size));
    }

    @Override
    public Reply removexattr(Caller caller, long inode, String name) {
        if (!knownXattrNamespace(name)) {
            return Reply.error(EOPNOTSUPP);
        }
        return errnoOf(() -> {
            try {
                client(caller).removexattr(inode(inode), name);
            } finally {
                xattrs.changed(inode);
            }
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

    static boolean knownXattrNamespace(String name) {
        for (String prefix : XATTR_NAMESPACES) {
            if (name.startsWith(prefix) && name.length() > prefix.length()) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------ locks

    @Override
    public Reply getlk(Caller caller, long inode, long handle, long lockOwner, LockRange lock) {
        return errnoOf(() -> locks.getlk(inode, lockOwner, lock));
    }

    @Override
    public Reply setlk(Caller caller, long inode, long handle, long lockOwner, LockRange lock, boolean sleep,
                       Interruption interrupted) {
        return locks.setlk(inode, lockOwner, lock, sleep, interrupted);
    }

    @Override
    public Reply flock(Caller caller, long inode, long handle, long lockOwner, int operation,
                       Interruption interrupted) {
        awaitReleases(inode);
        return locks.flock(inode, lockOwner, operation, interrupted);
    }

    /** Open handles, for diagnostics and tests. */
    int openHandles() {
        return openFiles.size();
    }

    /** SetAttr commits made for atime on read, for diagnostics and tests. */
    long atimeUpdatesCommitted() {
        return accessTimes.updatesCommitted();
    }

    /** Closes every handle the kernel did not release (the mount went away under them). */
    @Override
    public void close() {
        listingPrefetch.shutdownNow();
        accessTimes.close();
        locks.close();
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
