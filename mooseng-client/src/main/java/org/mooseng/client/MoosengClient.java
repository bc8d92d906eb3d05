package org.mooseng.client;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.mooseng.common.InodeId;
import org.mooseng.common.Layout;
import org.mooseng.common.Status;
import org.mooseng.proto.AccessTimesOp;
import org.mooseng.proto.Attr;
import org.mooseng.proto.AttrReply;
import org.mooseng.proto.FileOpenOp;
import org.mooseng.proto.ListSessionsReply;
import org.mooseng.proto.ListSessionsRequest;
import org.mooseng.proto.LockReply;
import org.mooseng.proto.LockRequest;
import org.mooseng.proto.OpenFileRequest;
import org.mooseng.proto.ReadChunkReply;
import org.mooseng.proto.ReleaseFileRequest;
import org.mooseng.proto.StatusReply;
import org.mooseng.proto.ChunkServersRequest;
import org.mooseng.proto.ClusterInfoRequest;
import org.mooseng.proto.CreateOp;
import org.mooseng.proto.FileInfoReply;
import org.mooseng.proto.FileInfoRequest;
import org.mooseng.proto.LinkOp;
import org.mooseng.proto.MetaOp;
import org.mooseng.proto.MetaResult;
import org.mooseng.proto.RenameOp;
import org.mooseng.proto.SetAttrOp;
import org.mooseng.proto.SetAttrReply;
import org.mooseng.proto.SetGoalOp;
import org.mooseng.proto.StatFsReply;
import org.mooseng.proto.StatFsRequest;
import org.mooseng.proto.SymlinkOp;
import org.mooseng.proto.Timespec;
import org.mooseng.proto.UnlinkOp;

/**
 * A connection to one MooseNG cluster: the namespace by path (absolute, "/"-separated,
 * resolved from the root with symlinks followed) or by inode, file data through
 * {@link MoosengFile}, and the admin views. Thread-safe; one instance per process is
 * enough, as it pools its connections to the master and to every chunk server.
 *
 * <p>Every failure is a {@link MoosengException} whose message starts with the path.
 */
public final class MoosengClient implements AutoCloseable {
    private static final int DEFAULT_FILE_MODE = 0644;

    private final ClientOptions options;
    private final MasterConnection master;
    private final ChunkServerTransport transport;
    private final MasterNamespace namespace;
    private final PathResolver resolver;
    private final ChunkReader reader;
    private final ChunkTruncator truncator;
    /** Null without a session (one-shot tools); set once at connect. */
    private volatile ClientSession session;
    /** A view made by {@link #as}: it borrows the connections and the session, so closing it ends nothing. */
    private final boolean view;
    /** Shared with the views: what this client's own changes left its directories as. */
    private final OwnDirectoryChanges ownChanges;
    /** Shared with the views: the directories this client made and alone changed since. */
    private final KnownListings knownListings;

    private MoosengClient(ClientOptions options, MasterConnection master, ChunkServerTransport transport) {
        this(options, master, transport, new OwnDirectoryChanges(System::nanoTime),
                new KnownListings(System::nanoTime), false);
    }

    private MoosengClient(ClientOptions options, MasterConnection master, ChunkServerTransport transport,
                          OwnDirectoryChanges ownChanges, KnownListings knownListings, boolean view) {
        this.view = view;
        this.options = options;
        this.master = master;
        this.transport = transport;
        this.ownChanges = ownChanges;
        this.knownListings = knownListings;
        this.namespace = new MasterNamespace(master, options.credentials().toProto(), ownChanges, knownListings);
        this.resolver = new PathResolver(namespace);
        this.reader = new ChunkReader(master, transport, namespace.credentials(), options.dataTimeoutMs());
        this.truncator = new ChunkTruncator(transport, options.dataTimeoutMs());
    }

    /** Connects to the master, learns (or checks) the cluster id, and prepares the data plane. */
    public static MoosengClient connect(ClientOptions options) throws MoosengException {
        MasterConnection master = MasterConnection.open(options);
        MoosengClient client;
        try {
            client = new MoosengClient(options, master,
                    new DataClientTransport(master.clusterId(), options.connectionsPerServer()));
        } catch (RuntimeException e) {
            master.close();
            throw e;
        }
        return client.withSessionIfAsked();
    }

    /** As {@link #connect(ClientOptions)}, with a given data plane (fault injection in tests). */
    public static MoosengClient connect(ClientOptions options, ChunkServerTransport transport)
            throws MoosengException {
        return new MoosengClient(options, MasterConnection.open(options), transport).withSessionIfAsked();
    }

    private MoosengClient withSessionIfAsked() throws MoosengException {
        if (!options.session().enabled()) {
            return this;
        }
        try {
            session = ClientSession.open(master, options.session());
            return this;
        } catch (MoosengException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** This client's session id, when it opened one (see {@link ClientOptions#session()}). */
    public java.util.OptionalLong sessionId() {
        ClientSession current = session;
        return current == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(current.id());
    }

    public String clusterId() {
        return master.clusterId();
    }

    /**
     * The directory's attributes as this client's (or a view's) last change of it left them
     * (a create, mkdir, link, unlink or rmdir in it reports them), if they arrived at most
     * {@code maxAgeNanos} ago and no later change of this client named the directory.
     * Other clients' changes since are not seen: callers accept what a cache of that age may
     * miss. Empty otherwise; {@link #stat} asks the master.
     */
    public Optional<RecentStat> recentDirectoryStat(InodeId directory, long maxAgeNanos) {
        return ownChanges.recent(directory.value(), maxAgeNanos);
    }

    /**
     * Whether {@code name} is surely absent from the directory without asking the master: this
     * client made the directory and every change of it since was this client's, the last
     * confirmed by the master at most {@code maxAgeNanos} ago, and none added the name. A name
     * another client added since that confirmation is not seen: callers accept what a cache of
     * that age may miss, and check permissions themselves (the master's lookup checks search
     * permission on the directory; this does not). False whenever it is not sure.
     */
    public boolean knownAbsent(InodeId directory, String name, long maxAgeNanos) {
        return knownListings.knownAbsent(directory.value(), name, maxAgeNanos);
    }

    /**
     * This client acting as another user: the same master channel, data connections and
     * session, other credentials on every call. Light enough to make per request (the FUSE
     * mount makes one per caller); closing a view does nothing, closing this client ends its
     * views too.
     */
    public MoosengClient as(UserCredentials credentials) {
        if (credentials.equals(options.credentials())) {
            return this;
        }
        MoosengClient other = new MoosengClient(options.withCredentials(credentials), master, transport, ownChanges,
                knownListings, true);
        other.session = session;
        return other;
    }

    public ClientOptions options() {
        return options;
    }

    // ------------------------------------------------------------ attributes and lookup

    /** Attributes of what the path names, following a symlink in the last component. */
    public FileStat stat(String path) throws MoosengException {
        return FileStat.from(resolver.resolve(path, true));
    }

    /** Attributes of what the path names, not following a symlink in the last component. */
    public FileStat lstat(String path) throws MoosengException {
        return FileStat.from(resolver.resolve(path, false));
    }

    public boolean exists(String path) throws MoosengException {
        try {
            resolver.resolve(path, true);
            return true;
        } catch (MoosengException e) {
            if (e.status() == Status.ENOENT || e.status() == Status.ENOTDIR) {
                return false;
            }
            throw e;
        }
    }

    public FileStat stat(InodeId inode) throws MoosengException {
        return FileStat.from(namespace.getAttr(inode, inode.toString()));
    }

    public FileStat lookup(InodeId parent, String name) throws MoosengException {
        return FileStat.from(namespace.lookup(parent, name, parent + "/" + name));
    }

    // ------------------------------------------------------------ directories

    public FileStat mkdir(String path, int mode) throws MoosengException {
        PathResolver.ParentAndName target = resolver.resolveParent(path);
        return mkdir(target.parentId(), target.name(), mode, path);
    }

    public FileStat mkdir(InodeId parent, String name, int mode) throws MoosengException {
        return mkdir(parent, name, mode, parent + "/" + name);
    }

    /** Creates the directory and any missing parents; an existing directory is fine. */
    public FileStat mkdirs(String path, int mode) throws MoosengException {
        List<String> parts = PathResolver.components(path);
        StringBuilder prefix = new StringBuilder();
        FileStat last = null;
        for (String part : parts) {
            prefix.append('/').append(part);
            String current = prefix.toString();
            try {
                last = mkdir(current, mode);
            } catch (MoosengException e) {
                if (e.status() != Status.EEXIST) {
                    throw e;
                }
                last = stat(current);
                if (!last.isDirectory()) {
                    throw new MoosengException(Status.ENOTDIR, current);
                }
            }
        }
        return last == null ? stat("/") : last;
    }

    public List<DirectoryEntry> list(String path) throws MoosengException {
        FileStat dir = stat(path);
        if (!dir.isDirectory()) {
            throw new MoosengException(Status.ENOTDIR, path);
        }
        return list(dir.inode(), path);
    }

    public List<DirectoryEntry> list(InodeId directory) throws MoosengException {
        return list(directory, directory.toString());
    }

    /**
     * One page of a directory for a caller that pages by position (FUSE readdir): at most
     * {@code maxEntries} entries after {@code cookie} (0 = from the start). Each entry's
     * cookie resumes the listing after it.
     */
    public DirectoryPage readDirPage(InodeId directory, long cookie, int maxEntries) throws MoosengException {
        if (cookie < 0 || maxEntries < 1) {
            throw new MoosengException(Status.EINVAL, directory.toString(),
                    "bad readdir page: cookie " + cookie + ", max entries " + maxEntries);
        }
        var reply = namespace.readDirPage(directory, cookie, maxEntries, directory.toString());
        try {
            if (reply.getEntriesCount() == 0) {
                return DirectoryPage.fromPacked(reply.getPackedEntries().toByteArray(), reply.getEof());
            }
            List<DirectoryPage.Entry> entries = new ArrayList<>(reply.getEntriesCount());
            for (var e : reply.getEntriesList()) {
                entries.add(new DirectoryPage.Entry(
                        new DirectoryEntry(e.getName(), new InodeId(e.getInode()), FileType.from(e.getType())),
                        e.getCookie()));
            }
            return DirectoryPage.of(entries, reply.getEof());
        } catch (IllegalArgumentException e) {
            throw new MoosengException(Status.EIO, directory.toString(), "malformed readdir page: " + e.getMessage());
        }
    }

    private List<DirectoryEntry> list(InodeId directory, String subject) throws MoosengException {
        List<DirectoryEntry> entries = new ArrayList<>();
        for (var e : namespace.readDir(directory, subject)) {
            entries.add(new DirectoryEntry(e.getName(), new InodeId(e.getInode()), FileType.from(e.getType())));
        }
        return entries;
    }

    public void rmdir(String path) throws MoosengException {
        PathResolver.ParentAndName target = resolver.resolveParent(path);
        unlink(target.parentId(), target.name(), true, path);
    }

    public void rmdir(InodeId parent, String name) throws MoosengException {
        unlink(parent, name, true, parent + "/" + name);
    }

    // ------------------------------------------------------------ files

    /** Creates a regular file (EEXIST when exclusive and present) and opens it for reading and writing. */
    public MoosengFile create(String path, int mode, boolean exclusive) throws MoosengException {
        PathResolver.ParentAndName target = resolver.resolveParent(path);
        return createAndOpen(target.parentId(), target.name(), mode, exclusive,
                EnumSet.of(OpenFlag.READ, OpenFlag.WRITE), path);
    }

    /**
     * open(2) with O_CREAT by parent inode, for FUSE's create: creates (or, unless exclusive,
     * finds) the regular file and opens it with {@code flags}. With a session the open is
     * registered in the same step, so the creator may write a file whose mode has no write bit.
     */
    public MoosengFile createAndOpen(InodeId parent, String name, int mode, boolean exclusive, Set<OpenFlag> flags)
            throws MoosengException {
        return createAndOpen(parent, name, mode, exclusive, flags, parent + "/" + name);
    }

    private MoosengFile createAndOpen(InodeId parent, String name, int mode, boolean exclusive,
                                      Set<OpenFlag> flags, String subject) throws MoosengException {
        ClientSession current = session;
        if (current == null) {
            return openInode(createFile(parent, name, mode, exclusive, subject), subject, flags);
        }
        int openFlags = openFlags(flags);
        CreateOp create = CreateOp.newBuilder().setParent(parent.value()).setName(name)
                .setType(org.mooseng.proto.FileType.REGULAR).setMode(mode & 07777).setExclusive(exclusive)
                .setOpenSession(current.id()).setOpenFlags(openFlags).build();
        MetaResult result = namespace.mutate(MetaOp.newBuilder().setCreate(create), subject);
        return openRegistered(FileStat.from(result.getAttr()), subject, flags, current.id(), null, result.getCreated());
    }

    /** Creates a regular file by parent inode; returns its attributes without opening it. */
    public FileStat create(InodeId parent, String name, int mode, boolean exclusive) throws MoosengException {
        return createFile(parent, name, mode, exclusive, parent + "/" + name);
    }

    public MoosengFile open(String path, OpenFlag... flags) throws MoosengException {
        return open(path, flags.length == 0 ? EnumSet.of(OpenFlag.READ) : EnumSet.of(flags[0], flags));
    }

    /** Opens (and with CREATE, creates with mode 0644) a regular file; see {@link OpenFlag}. */
    public MoosengFile open(String path, Set<OpenFlag> flags) throws MoosengException {
        FileStat stat;
        try {
            stat = stat(path);
            if (flags.contains(OpenFlag.CREATE) && flags.contains(OpenFlag.EXCLUSIVE)) {
                throw new MoosengException(Status.EEXIST, path);
            }
        } catch (MoosengException e) {
            if (e.status() != Status.ENOENT || !flags.contains(OpenFlag.CREATE)) {
                throw e;
            }
            PathResolver.ParentAndName target = resolver.resolveParent(path);
            return createAndOpen(target.parentId(), target.name(), DEFAULT_FILE_MODE,
                    flags.contains(OpenFlag.EXCLUSIVE), flags, path);
        }
        return openInode(stat, path, flags);
    }

    public MoosengFile open(InodeId inode, Set<OpenFlag> flags) throws MoosengException {
        ClientSession current = session;
        if (current == null) {
            return openInode(stat(inode), inode.toString(), flags);
        }
        // One round trip: the master checks the type and permission, registers the open and
        // answers with the attributes; a handle that cannot be made releases the open again.
        AttrReply opened = registerOpen(inode, flags, current.id(), inode.toString(), flags.contains(OpenFlag.READ));
        return openRegistered(FileStat.from(opened.getAttr()), inode.toString(), flags, current.id(),
                opened.hasFirstChunk() ? opened.getFirstChunk() : null, false);
    }

    /** Opens a file; with a session the master checks the permission now and registers the open. */
    private MoosengFile openInode(FileStat stat, String subject, Set<OpenFlag> flags) throws MoosengException {
        ClientSession current = session;
        if (current == null || !stat.isRegularFile()) {
            return openHandle(stat, subject, flags, 0, MoosengFile.Release.NONE, null, false);
        }
        AttrReply opened = registerOpen(stat.inode(), flags, current.id(), subject, flags.contains(OpenFlag.READ));
        return openRegistered(FileStat.from(opened.getAttr()), subject, flags, current.id(),
                opened.hasFirstChunk() ? opened.getFirstChunk() : null, false);
    }

    /**
     * A handle for an open already registered in the session; closing it releases that open.
     * {@code firstChunk}, when the master sent it with the open, is where chunk 0 is (or null).
     */
    private MoosengFile openRegistered(FileStat stat, String subject, Set<OpenFlag> flags, long sessionId,
                                       ReadChunkReply firstChunk, boolean created) throws MoosengException {
        MoosengFile.Release release = () -> release(stat.inode(), flags, 0, sessionId, subject);
        try {
            return openHandle(stat, subject, flags, sessionId, release, firstChunk, created);
        } catch (MoosengException | RuntimeException e) {
            try {
                release.run();
            } catch (MoosengException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private MoosengFile openHandle(FileStat stat, String subject, Set<OpenFlag> flags, long sessionId,
                                   MoosengFile.Release release, ReadChunkReply firstChunk, boolean created)
            throws MoosengException {
        boolean writing = flags.contains(OpenFlag.WRITE) || flags.contains(OpenFlag.APPEND);
        if (stat.isDirectory()) {
            throw new MoosengException(Status.EISDIR, subject);
        }
        if (!stat.isRegularFile()) {
            throw new MoosengException(Status.EINVAL, subject, "not a regular file: " + stat.type());
        }
        ChunkWriter writer = new ChunkWriter(master, transport, namespace.credentials(), stat.inode(), subject,
                options.dataTimeoutMs(), options.writeWindowBytes(), options.writeRetries(), sessionId);
        ReadAhead readAhead = new ReadAhead(reader, stat.inode(), subject, options.readAheadBytes());
        if (firstChunk != null) {
            readAhead.locatedAtOpen(0, firstChunk);
        }
        MoosengFile file = new MoosengFile(this, stat, subject, flags, writer, readAhead, release, created);
        if (writing && flags.contains(OpenFlag.TRUNCATE) && stat.sizeBytes() > 0) {
            truncate(stat.inode(), 0, subject);
        }
        return file;
    }

    private FileStat createFile(InodeId parent, String name, int mode, boolean exclusive, String subject)
            throws MoosengException {
        CreateOp create = CreateOp.newBuilder().setParent(parent.value()).setName(name)
                .setType(org.mooseng.proto.FileType.REGULAR).setMode(mode & 07777).setExclusive(exclusive).build();
        return FileStat.from(namespace.mutate(MetaOp.newBuilder().setCreate(create), subject).getAttr());
    }

    private FileStat mkdir(InodeId parent, String name, int mode, String subject) throws MoosengException {
        CreateOp create = CreateOp.newBuilder().setParent(parent.value()).setName(name)
                .setType(org.mooseng.proto.FileType.DIRECTORY).setMode(mode & 07777).build();
        return FileStat.from(namespace.mutate(MetaOp.newBuilder().setCreate(create), subject).getAttr());
    }

    /**
     * mknod(2) by parent inode: a FIFO, socket, device node (with {@code rdev}) or empty
     * regular file; {@code mode} holds the permission bits.
     */
    public FileStat mknod(InodeId parent, String name, FileType type, int mode, long rdev) throws MoosengException {
        String subject = parent + "/" + name;
        if (type == FileType.DIRECTORY || type == FileType.SYMLINK) {
            throw new MoosengException(Status.EINVAL, subject, "mknod cannot make a " + type);
        }
        CreateOp create = CreateOp.newBuilder().setParent(parent.value()).setName(name).setType(type.toProto())
                .setMode(mode & 07777).setRdev(rdev).setExclusive(true).build();
        return FileStat.from(namespace.mutate(MetaOp.newBuilder().setCreate(create), subject).getAttr());
    }

    /**
     * Moves the atime of each inode to now, as reads of them would (files read, directories
     * listed), in one metadata change: with {@code relatime}, only where Linux's relatime rule
     * allows it. Inodes gone or unreadable by this client are left as they are.
     */
    public void touchAccessTimes(Collection<InodeId> inodes, boolean relatime) throws MoosengException {
        if (inodes.isEmpty()) {
            return;
        }
        AccessTimesOp.Builder op = AccessTimesOp.newBuilder().setRelatime(relatime);
        inodes.forEach(inode -> op.addInodes(inode.value()));
        namespace.mutate(MetaOp.newBuilder().setAccessTimes(op), inodes.size() + " accessed inodes");
    }

    public void unlink(String path) throws MoosengException {
        PathResolver.ParentAndName target = resolver.resolveParent(path);
        unlink(target.parentId(), target.name(), false, path);
    }

    public void unlink(InodeId parent, String name) throws MoosengException {
        unlink(parent, name, false, parent + "/" + name);
    }

    private void unlink(InodeId parent, String name, boolean directory, String subject) throws MoosengException {
        UnlinkOp op = UnlinkOp.newBuilder().setParent(parent.value()).setName(name).setIsDir(directory).build();
        namespace.mutate(MetaOp.newBuilder().setUnlink(op), subject);
    }

    /** Renames like rename(2): an existing target file or empty directory is replaced. */
    public FileStat rename(String from, String to) throws MoosengException {
        PathResolver.ParentAndName source = resolver.resolveParent(from);
        PathResolver.ParentAndName target = resolver.resolveParent(to);
        return rename(source.parentId(), source.name(), target.parentId(), target.name(), 0, from);
    }

    /** flags: 1 = RENAME_NOREPLACE, 2 = RENAME_EXCHANGE (Linux values). */
    public FileStat rename(InodeId parent, String name, InodeId newParent, String newName, int flags)
            throws MoosengException {
        return rename(parent, name, newParent, newName, flags, parent + "/" + name);
    }

    private FileStat rename(InodeId parent, String name, InodeId newParent, String newName, int flags,
                            String subject) throws MoosengException {
        RenameOp op = RenameOp.newBuilder().setParent(parent.value()).setName(name).setNewParent(newParent.value())
                .setNewName(newName).setFlags(flags).build();
        return FileStat.from(namespace.mutate(MetaOp.newBuilder().setRename(op), subject).getAttr());
    }

    /** A hard link: like link(2), a symlink given as existing is linked itself, not followed. */
    public FileStat link(String existing, String newPath) throws MoosengException {
        FileStat source = lstat(existing);
        PathResolver.ParentAndName target = resolver.resolveParent(newPath);
        return link(source.inode(), target.parentId(), target.name(), newPath);
    }

    public FileStat link(InodeId inode, InodeId newParent, String newName) throws MoosengException {
        return link(inode, newParent, newName, newParent + "/" + newName);
    }

    private FileStat link(InodeId inode, InodeId newParent, String newName, String subject)
            throws MoosengException {
        LinkOp op = LinkOp.newBuilder().setInode(inode.value()).setNewParent(newParent.value())
                .setNewName(newName).build();
        return FileStat.from(namespace.mutate(MetaOp.newBuilder().setLink(op), subject).getAttr());
    }

    public FileStat symlink(String target, String linkPath) throws MoosengException {
        PathResolver.ParentAndName link = resolver.resolveParent(linkPath);
        return symlink(link.parentId(), link.name(), target, linkPath);
    }

    public FileStat symlink(InodeId parent, String name, String target) throws MoosengException {
        return symlink(parent, name, target, parent + "/" + name);
    }

    private FileStat symlink(InodeId parent, String name, String target, String subject) throws MoosengException {
        if (target.isEmpty() || target.length() > Layout.MAX_SYMLINK_BYTES) {
            throw new MoosengException(target.isEmpty() ? Status.ENOENT : Status.ENAMETOOLONG, subject,
                    "bad symlink target");
        }
        SymlinkOp op = SymlinkOp.newBuilder().setParent(parent.value()).setName(name).setTarget(target).build();
        return FileStat.from(namespace.mutate(MetaOp.newBuilder().setSymlink(op), subject).getAttr());
    }

    public String readlink(String path) throws MoosengException {
        FileStat link = lstat(path);
        if (!link.isSymlink()) {
            throw new MoosengException(Status.EINVAL, path, "not a symlink");
        }
        return namespace.readLink(link.inode(), path);
    }

    public String readlink(InodeId inode) throws MoosengException {
        return namespace.readLink(inode, inode.toString());
    }

    // ------------------------------------------------------------ attributes

    public FileStat chmod(String path, int mode) throws MoosengException {
        return setAttr(stat(path).inode(), SetAttrOp.newBuilder().setValid(SetAttrOp.Field.SET_MODE_VALUE)
                .setMode(mode & 07777), path);
    }

    /** Changes owner and/or group; -1 leaves one unchanged, as in chown(2). */
    public FileStat chown(String path, int uid, int gid) throws MoosengException {
        SetAttrOp.Builder op = SetAttrOp.newBuilder();
        int valid = 0;
        if (uid >= 0) {
            valid |= SetAttrOp.Field.SET_UID_VALUE;
            op.setUid(uid);
        }
        if (gid >= 0) {
            valid |= SetAttrOp.Field.SET_GID_VALUE;
            op.setGid(gid);
        }
        return setAttr(stat(path).inode(), op.setValid(valid), path);
    }

    /** Sets access and modification times; null means "now" (the master's clock), as utimensat(2) does. */
    public FileStat setTimes(String path, Instant atime, Instant mtime) throws MoosengException {
        SetAttrOp.Builder op = SetAttrOp.newBuilder();
        int valid;
        if (atime == null) {
            valid = SetAttrOp.Field.SET_ATIME_NOW_VALUE;
        } else {
            valid = SetAttrOp.Field.SET_ATIME_VALUE;
            op.setAtime(timespec(atime));
        }
        if (mtime == null) {
            valid |= SetAttrOp.Field.SET_MTIME_NOW_VALUE;
        } else {
            valid |= SetAttrOp.Field.SET_MTIME_VALUE;
            op.setMtime(timespec(mtime));
        }
        return setAttr(stat(path).inode(), op.setValid(valid), path);
    }

    /** Any attribute change by inode; the op's inode field is filled in here. */
    public FileStat setAttr(InodeId inode, SetAttrOp.Builder op) throws MoosengException {
        return setAttr(inode, op, inode.toString());
    }

    private FileStat setAttr(InodeId inode, SetAttrOp.Builder op, String subject) throws MoosengException {
        if ((op.getValid() & SetAttrOp.Field.SET_SIZE_VALUE) != 0) {
            return truncate(inode, op.getSize(), subject, op);
        }
        return FileStat.from(namespace.setAttr(op.setInode(inode.value()).build(), subject).getAttr());
    }

    public FileStat truncate(String path, long sizeBytes) throws MoosengException {
        return truncate(stat(path).inode(), sizeBytes, path);
    }

    public FileStat truncate(InodeId inode, long sizeBytes) throws MoosengException {
        return truncate(inode, sizeBytes, inode.toString());
    }

    FileStat truncate(InodeId inode, long sizeBytes, String subject) throws MoosengException {
        return truncate(inode, sizeBytes, subject,
                SetAttrOp.newBuilder().setValid(SetAttrOp.Field.SET_SIZE_VALUE));
    }

    /**
     * Sets the size on the master and, when the new end falls inside a chunk, cuts that
     * chunk on its replicas before reporting success.
     */
    private FileStat truncate(InodeId inode, long sizeBytes, String subject, SetAttrOp.Builder op)
            throws MoosengException {
        if (sizeBytes < 0) {
            throw new MoosengException(Status.EINVAL, subject, "negative size " + sizeBytes);
        }
        // The session lets ftruncate on a file opened for writing pass, whatever its mode is now.
        ClientSession current = session;
        if (current != null) {
            op.setSessionId(current.id());
        }
        SetAttrReply reply = namespace.setAttr(op.setInode(inode.value()).setSize(sizeBytes).build(), subject);
        if (reply.hasTruncatedChunk() && reply.getTruncatedChunk().getChunkId() != 0) {
            truncator.truncate(reply, sizeBytes, subject);
        }
        return FileStat.from(reply.getAttr());
    }

    private static Timespec timespec(Instant t) {
        return Timespec.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    // ------------------------------------------------------------ extended attributes

    public byte[] getxattr(String path, String name) throws MoosengException {
        return namespace.getXattr(stat(path).inode(), name, path);
    }

    public byte[] getxattr(InodeId inode, String name) throws MoosengException {
        return namespace.getXattr(inode, name, inode.toString());
    }

    /** flags: 0, 1 = XATTR_CREATE, 2 = XATTR_REPLACE (Linux values). */
    public void setxattr(String path, String name, byte[] value, int flags) throws MoosengException {
        namespace.setXattr(stat(path).inode(), name, value, flags, path);
    }

    public void setxattr(InodeId inode, String name, byte[] value, int flags) throws MoosengException {
        namespace.setXattr(inode, name, value, flags, inode.toString());
    }

    public List<String> listxattr(String path) throws MoosengException {
        return namespace.listXattr(stat(path).inode(), path);
    }

    public List<String> listxattr(InodeId inode) throws MoosengException {
        return namespace.listXattr(inode, inode.toString());
    }

    public void removexattr(String path, String name) throws MoosengException {
        namespace.removeXattr(stat(path).inode(), name, path);
    }

    public void removexattr(InodeId inode, String name) throws MoosengException {
        namespace.removeXattr(inode, name, inode.toString());
    }

    /** Checks access(2)-style permission for this client's credentials; mask: R_OK=4, W_OK=2, X_OK=1. */
    public void access(String path, int mask) throws MoosengException {
        namespace.access(stat(path).inode(), mask, path);
    }

    public void access(InodeId inode, int mask) throws MoosengException {
        namespace.access(inode, mask, inode.toString());
    }

    // ------------------------------------------------------------ file system and admin

    public FsStats statfs() throws MoosengException {
        StatFsReply reply = master.call("statfs", s -> s.statFs(StatFsRequest.getDefaultInstance()));
        MoosengException.check(reply.getStatus(), "statfs", "");
        return new FsStats(reply.getTotalBytes(), reply.getFreeBytes(), reply.getUsedBytes(), reply.getInodes());
    }

    /** Sets the number of copies kept of each chunk (of everything below, when recursive). */
    public FileStat setGoal(String path, int goal, boolean recursive) throws MoosengException {
        if (goal < 1) {
            throw new MoosengException(Status.EINVAL, path, "goal must be at least 1: " + goal);
        }
        SetGoalOp op = SetGoalOp.newBuilder().setInode(stat(path).inode().value()).setGoal(goal)
                .setRecursive(recursive).build();
        Attr attr = namespace.mutate(MetaOp.newBuilder().setSetGoal(op), path).getAttr();
        return attr.getInode() == 0 ? stat(path) : FileStat.from(attr);
    }

    public int getGoal(String path) throws MoosengException {
        return stat(path).goal();
    }

    public ClusterSummary clusterInfo() throws MoosengException {
        return ClusterSummary.from(master.call("cluster", s -> s.clusterInfo(ClusterInfoRequest.getDefaultInstance())));
    }

    public List<ChunkServerStatus> chunkServers() throws MoosengException {
        return master.call("chunk servers", s -> s.chunkServers(ChunkServersRequest.getDefaultInstance()))
                .getServersList().stream().map(ChunkServerStatus::from).toList();
    }

    public FileLayout fileInfo(String path) throws MoosengException {
        FileStat target = stat(path);
        FileInfoRequest request = FileInfoRequest.newBuilder().setInode(target.inode().value()).build();
        FileInfoReply reply = master.call(path, s -> s.fileInfo(request));
        MoosengException.check(reply.getStatus(), path, reply.getMessage());
        return FileLayout.from(path, reply);
    }

    // ------------------------------------------------------------ sessions, open files, locks

    /**
     * Registers an open of the file in this client's session, for a caller that keeps its own
     * handles (the FUSE mount): the master checks read/write permission now, and the file stays
     * while open even when unlinked. Without a session it only checks the permission.
     * Balance every call with {@link #release}.
     */
    public FileStat registerOpen(InodeId inode, Set<OpenFlag> flags) throws MoosengException {
        ClientSession current = session;
        if (current == null) {
            access(inode, accessMask(flags));
            return stat(inode);
        }
        return FileStat.from(registerOpen(inode, flags, current.id(), inode.toString(), false).getAttr());
    }

    /**
     * Drops one open registered with these flags (by {@link #registerOpen} or a create), and,
     * when {@code lockOwner} is not 0, that owner's POSIX and flock locks on the file, as
     * close(2) does. A no-op without a session. A release without a lock owner is sent in the
     * background within milliseconds, batched with others (nothing waits for it).
     */
    public void release(InodeId inode, Set<OpenFlag> flags, long lockOwner) throws MoosengException {
        ClientSession current = session;
        if (current == null) {
            return;
        }
        if (lockOwner == 0) {
            release(inode, flags, 0, current.id(), inode.toString());
        } else {
            current.locks().releasing(inode.value(), lockOwner,
                    () -> release(inode, flags, lockOwner, current.id(), inode.toString()));
        }
    }

    /**
     * F_GETLK: the lock of another owner that would block this one, or {@link LockInfo#NONE}.
     * Right after a failover, while holders are still giving their locks back to the new leader
     * (its grace period), a lock not given back yet is not reported.
     */
    public LockInfo getLock(InodeId inode, long owner, LockType type, long start, long len, int pid)
            throws MoosengException {
        LockReply reply = lockCall(inode, owner, type, start, len, pid, "getlk", SessionLocks.Call.GETLK);
        if (reply.getType() == org.mooseng.proto.LockType.LOCK_UNLOCK) {
            return LockInfo.NONE;
        }
        return new LockInfo(LockType.from(reply.getType()), reply.getStart(), reply.getLength(), reply.getPid(),
                reply.getSessionId(), reply.getLockOwner());
    }

    /**
     * F_SETLK: takes or (UNLOCK) drops a byte range; EAGAIN when another owner holds a
     * conflicting lock, and for a new or stronger lock during a new leader's grace period.
     * Locks held survive a master failover: this client gives them back to the new leader.
     */
    public void setLock(InodeId inode, long owner, LockType type, long start, long len, int pid)
            throws MoosengException {
        lockCall(inode, owner, type, start, len, pid, "setlk", SessionLocks.Call.SETLK);
    }

    /**
     * F_SETLKW: as {@link #setLock}, waiting until the lock is free. The master keeps no waiter:
     * the client asks again with a backoff from {@value #LOCK_POLL_MIN_MS} to
     * {@value #LOCK_POLL_MAX_MS} ms. An interrupt ends the wait with EAGAIN (interrupt flag set).
     */
    public void setLockWait(InodeId inode, long owner, LockType type, long start, long len, int pid)
            throws MoosengException {
        waitFor(() -> setLock(inode, owner, type, start, len, pid), inode);
    }

    /** flock(2); with nonBlocking false it waits like {@link #setLockWait}. */
    public void flock(InodeId inode, long owner, LockType type, boolean nonBlocking) throws MoosengException {
        LockAttempt attempt = () -> lockCall(inode, owner, type, 0, 0, 0, "flock", SessionLocks.Call.FLOCK);
        if (nonBlocking || type == LockType.UNLOCK) {
            attempt.run();
        } else {
            waitFor(attempt, inode);
        }
    }

    /**
     * Drops every POSIX and flock lock of {@code owner} on the file, as close(2) of one of the
     * owner's descriptors does (FUSE flush/release with a lock owner, when the handle is a
     * {@link MoosengFile}). A no-op without a session.
     */
    public void releaseLocks(InodeId inode, long owner) throws MoosengException {
        if (session != null) {
            setLock(inode, owner, LockType.UNLOCK, 0, 0, 0);
            flock(inode, owner, LockType.UNLOCK, true);
        }
    }

    /** Every session the master knows (admin). */
    public List<SessionSummary> listSessions() throws MoosengException {
        ListSessionsReply reply = master.call("sessions", s -> s.listSessions(ListSessionsRequest.getDefaultInstance()));
        MoosengException.check(reply.getStatus(), "sessions", reply.getMessage());
        return reply.getSessionsList().stream().map(SessionSummary::from).toList();
    }

    static final long LOCK_POLL_MIN_MS = 5;
    static final long LOCK_POLL_MAX_MS = 500;

    @FunctionalInterface
    private interface LockAttempt {
        void run() throws MoosengException;
    }

    private static void waitFor(LockAttempt attempt, InodeId inode) throws MoosengException {
        long pauseMs = LOCK_POLL_MIN_MS;
        while (true) {
            try {
                attempt.run();
                return;
            } catch (MoosengException e) {
                if (e.status() != Status.EAGAIN) {
                    throw e;
                }
            }
            try {
                Thread.sleep(pauseMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MoosengException(Status.EAGAIN, inode.toString(), "interrupted while waiting for a lock");
            }
            pauseMs = Math.min(LOCK_POLL_MAX_MS, pauseMs * 2);
        }
    }

    private LockReply lockCall(InodeId inode, long owner, LockType type, long start, long len, int pid,
                               String what, SessionLocks.Call call) throws MoosengException {
        ClientSession current = session;
        String subject = inode.toString();
        if (current == null) {
            throw new MoosengException(Status.ENOTSUP, subject, what + " needs a client session (ClientOptions.session)");
        }
        if (start < 0 || len < 0) {
            throw new MoosengException(Status.EINVAL, subject, "negative lock start or length");
        }
        LockRequest request = LockRequest.newBuilder().setSessionId(current.id()).setInode(inode.value())
                .setLockOwner(owner).setType(type.toProto()).setStart(start).setLength(len).setPid(pid).build();
        LockReply reply = current.locks().call(call, request, subject);
        MoosengException.check(reply.getStatus(), subject, reply.getMessage());
        return reply;
    }

    /** Registers the open; {@code withFirstChunk} asks the master where chunk 0 is as well. */
    private AttrReply registerOpen(InodeId inode, Set<OpenFlag> flags, long sessionId, String subject,
                                   boolean withFirstChunk) throws MoosengException {
        OpenFileRequest request = OpenFileRequest.newBuilder().setCred(namespace.credentials())
                .setSessionId(sessionId).setInode(inode.value()).setFlags(openFlags(flags))
                .setRequestId(MasterNamespace.newRequestId()).setWithFirstChunk(withFirstChunk).build();
        ClientSession current = session;
        AttrReply reply = current != null && current.id() == sessionId
                ? current.opens().open(inode.value(), () -> master.call(subject, s -> s.openFile(request)))
                : master.call(subject, s -> s.openFile(request));
        MoosengException.check(reply.getStatus(), subject, reply.getMessage());
        return reply;
    }

    private void release(InodeId inode, Set<OpenFlag> flags, long lockOwner, long sessionId, String subject)
            throws MoosengException {
        ClientSession current = session;
        if (current != null && current.id() == sessionId && openFlags(flags) == FileOpenOp.Flag.OPEN_READ_VALUE
                && current.opens().releaseIfHeld(inode.value(), lockOwner)) {
            return;
        }
        if (lockOwner == 0 && current != null && current.id() == sessionId) {
            current.releaseLater(inode.value(), openFlags(flags)); // nothing waits for it: batched
            return;
        }
        ReleaseFileRequest request = ReleaseFileRequest.newBuilder().setSessionId(sessionId).setInode(inode.value())
                .setFlags(openFlags(flags)).setLockOwner(lockOwner).setRequestId(MasterNamespace.newRequestId())
                .build();
        StatusReply reply = master.call(subject, s -> s.releaseFile(request));
        MoosengException.check(reply.getStatus(), subject, reply.getMessage());
    }

    private static int openFlags(Set<OpenFlag> flags) {
        boolean writing = flags.contains(OpenFlag.WRITE) || flags.contains(OpenFlag.APPEND);
        boolean reading = flags.contains(OpenFlag.READ) || !writing;
        return (reading ? FileOpenOp.Flag.OPEN_READ_VALUE : 0) | (writing ? FileOpenOp.Flag.OPEN_WRITE_VALUE : 0);
    }

    private static int accessMask(Set<OpenFlag> flags) {
        int open = openFlags(flags);
        return ((open & FileOpenOp.Flag.OPEN_READ_VALUE) != 0 ? 4 : 0)
                | ((open & FileOpenOp.Flag.OPEN_WRITE_VALUE) != 0 ? 2 : 0);
    }

    /** Ends the session (releasing its open files and locks on the master), then the connections. */
    @Override
    public void close() {
        if (view) {
            return;
        }
        ClientSession current = session;
        try {
            if (current != null) {
                current.close();
            }
            transport.close();
        } finally {
            master.close();
        }
    }
}
