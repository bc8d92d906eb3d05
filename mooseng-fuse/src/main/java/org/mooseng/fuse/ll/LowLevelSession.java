package org.mooseng.fuse.ll;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One FUSE session over libfuse3's low-level API: the operations table of upcall stubs,
 * mount, the multi-threaded loop, unmount. Upcalls run on libfuse's worker threads; each one
 * turns its C arguments into Java values, calls {@link FuseOperations}, and sends the
 * {@link Reply}. No exception leaves an upcall: it is logged and answered with EIO, because
 * an exception escaping into native code would end the JVM.
 */
public final class LowLevelSession implements KernelCache, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LowLevelSession.class);
    private static final int EIO = 5;
    /** fuse_conn_info capability bits (fuse_common.h, 3.14). */
    static final int CAP_ASYNC_READ = 1;
    static final int CAP_PARALLEL_DIROPS = 1 << 18;
    /** umount2 flag: detach now, finish when no longer busy. */
    private static final int MNT_DETACH = 2;
    private static final int MAX_GROUPS = 256;

    private final FuseOperations operations;
    private final SessionConfig config;
    private final LibFuse fuse;
    private final Arena arena = Arena.ofShared();
    private final Replies replies;
    private MemorySegment session = MemorySegment.NULL;
    private boolean mounted;
    private boolean closed;

    public LowLevelSession(FuseOperations operations, SessionConfig config) {
        this.operations = operations;
        this.config = config;
        this.fuse = LibFuse.load();
        this.replies = new Replies(fuse);
    }

    /** Creates the session and mounts it; afterwards {@link #loop} serves it. */
    public synchronized void mount() {
        MemorySegment ops = operationsTable();
        MemorySegment args = arguments(config.arguments());
        try {
            session = (MemorySegment) fuse.sessionNew.invokeExact(args, ops, FuseStructs.LOWLEVEL_OPS.byteSize(),
                    MemorySegment.NULL);
            if (session.equals(MemorySegment.NULL)) {
                throw new IllegalStateException("fuse_session_new failed for options " + config.arguments()
                        + " (libfuse printed the reason on stderr)");
            }
            if ((int) fuse.setSignalHandlers.invokeExact(session) != 0) {
                throw new IllegalStateException("fuse_set_signal_handlers failed");
            }
            MemorySegment mountpoint = arena.allocateFrom(config.mountpoint().toString());
            if ((int) fuse.sessionMount.invokeExact(session, mountpoint) != 0) {
                throw new IllegalStateException("fuse_session_mount failed on " + config.mountpoint()
                        + " (libfuse printed the reason on stderr)");
            }
            mounted = true;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("libfuse call failed", t);
        }
    }

    /** Serves requests on worker threads until the file system is unmounted; returns libfuse's result. */
    public int loop() {
        try {
            if (fuse.loopMt312 != null && fuse.loopCfgCreate != null) {
                MemorySegment cfg = (MemorySegment) fuse.loopCfgCreate.invokeExact();
                try {
                    fuse.loopCfgSetMaxThreads.invokeExact(cfg, config.maxThreads());
                    fuse.loopCfgSetCloneFd.invokeExact(cfg, 0);
                    return (int) fuse.loopMt312.invokeExact(session, cfg);
                } finally {
                    fuse.loopCfgDestroy.invokeExact(cfg);
                }
            }
            MemorySegment cfg = arena.allocate(FuseStructs.LOOP_CONFIG_V32);
            cfg.set(JAVA_INT, 4, Math.max(1, config.maxThreads() / 2));
            return (int) fuse.loopMt32.invokeExact(session, cfg);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("fuse_session_loop_mt failed", t);
        }
    }

    /**
     * Detaches the mount from another thread (a shutdown hook): the kernel then ends the
     * connection and {@link #loop} returns. Needs root; returns false when umount2 failed.
     */
    public boolean detach() {
        try {
            MethodHandle umount2 = Linker.nativeLinker().downcallHandle(
                    Linker.nativeLinker().defaultLookup().find("umount2").orElseThrow(),
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
            try (Arena local = Arena.ofConfined()) {
                return (int) umount2.invokeExact(local.allocateFrom(config.mountpoint().toString()), MNT_DETACH) == 0;
            }
        } catch (Throwable t) {
            LOG.warn("{}: umount2 failed: {}", config.mountpoint(), t.toString());
            return false;
        }
    }

    /**
     * Sent from any thread; serialized with {@link #close} so it never reaches a destroyed
     * session. Attributes only (negative offset): no page is touched, so no page lock is
     * taken and it cannot deadlock against a request in flight.
     */
    @Override
    public synchronized boolean invalidateAttributes(long inode) {
        if (!mounted || closed) {
            return false;
        }
        try {
            int result = (int) fuse.notifyInvalInode.invokeExact(session, inode, -1L, 0L);
            if (result != 0) {
                // ENOENT: the kernel holds nothing of the inode, so nothing stale either.
                LOG.debug("{}: inode {}: attribute invalidation not taken: errno {}", config.mountpoint(), inode,
                        -result);
            }
            return result == 0;
        } catch (Throwable t) {
            LOG.debug("{}: inode {}: attribute invalidation failed: {}", config.mountpoint(), inode, t.toString());
            return false;
        }
    }

    /** Unmounts (when still mounted) and frees the session. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (!session.equals(MemorySegment.NULL)) {
                fuse.removeSignalHandlers.invokeExact(session);
                if (mounted) {
                    fuse.sessionUnmount.invokeExact(session);
                }
                fuse.sessionDestroy.invokeExact(session);
            }
        } catch (Throwable t) {
            LOG.warn("{}: closing the FUSE session failed: {}", config.mountpoint(), t.toString());
        } finally {
            arena.close();
        }
    }

    // ------------------------------------------------------------ setup

    private MemorySegment arguments(List<String> argv) {
        MemorySegment pointers = arena.allocate(ADDRESS, argv.size() + 1);
        for (int i = 0; i < argv.size(); i++) {
            pointers.setAtIndex(ADDRESS, i, arena.allocateFrom(argv.get(i)));
        }
        MemorySegment args = arena.allocate(FuseStructs.FUSE_ARGS);
        args.set(JAVA_INT, FuseStructs.offset(FuseStructs.FUSE_ARGS, "argc"), argv.size());
        args.set(ADDRESS, FuseStructs.offset(FuseStructs.FUSE_ARGS, "argv"), pointers);
        args.set(JAVA_INT, FuseStructs.offset(FuseStructs.FUSE_ARGS, "allocated"), 0);
        return args;
    }

    /** The function-pointer table: a stub for every operation handled here, NULL for the rest. */
    private MemorySegment operationsTable() {
        MemorySegment table = arena.allocate(FuseStructs.LOWLEVEL_OPS);
        MemoryLayout a = ADDRESS;
        MemoryLayout l = JAVA_LONG;
        MemoryLayout i = JAVA_INT;
        Map<String, FunctionDescriptor> implemented = Map.ofEntries(
                Map.entry("init", FunctionDescriptor.ofVoid(a, a)),
                Map.entry("lookup", FunctionDescriptor.ofVoid(a, l, a)),
                Map.entry("forget", FunctionDescriptor.ofVoid(a, l, l)),
                Map.entry("getattr", FunctionDescriptor.ofVoid(a, l, a)),
                Map.entry("setattr", FunctionDescriptor.ofVoid(a, l, a, i, a)),
                Map.entry("readlink", FunctionDescriptor.ofVoid(a, l)),
                Map.entry("mknod", FunctionDescriptor.ofVoid(a, l, a, i, l)),
                Map.entry("mkdir", FunctionDescriptor.ofVoid(a, l, a, i)),
                Map.entry("unlink", FunctionDescriptor.ofVoid(a, l, a)),
                Map.entry("rmdir", FunctionDescriptor.ofVoid(a, l, a)),
                Map.entry("symlink", FunctionDescriptor.ofVoid(a, a, l, a)),
                Map.entry("rename", FunctionDescriptor.ofVoid(a, l, a, l, a, i)),
                Map.entry("link", FunctionDescriptor.ofVoid(a, l, l, a)),
                Map.entry("open", FunctionDescriptor.ofVoid(a, l, a)),
                Map.entry("read", FunctionDescriptor.ofVoid(a, l, l, l, a)),
                Map.entry("write", FunctionDescriptor.ofVoid(a, l, a, l, l, a)),
                Map.entry("flush", FunctionDescriptor.ofVoid(a, l, a)),
                Map.entry("release", FunctionDescriptor.ofVoid(a, l, a)),
                Map.entry("fsync", FunctionDescriptor.ofVoid(a, l, i, a)),
                Map.entry("opendir", FunctionDescriptor.ofVoid(a, l, a)),
                Map.entry("readdir", FunctionDescriptor.ofVoid(a, l, l, l, a)),
                Map.entry("releasedir", FunctionDescriptor.ofVoid(a, l, a)),
                Map.entry("statfs", FunctionDescriptor.ofVoid(a, l)),
                Map.entry("setxattr", FunctionDescriptor.ofVoid(a, l, a, a, l, i)),
                Map.entry("getxattr", FunctionDescriptor.ofVoid(a, l, a, l)),
                Map.entry("listxattr", FunctionDescriptor.ofVoid(a, l, l)),
                Map.entry("removexattr", FunctionDescriptor.ofVoid(a, l, a)),
                Map.entry("access", FunctionDescriptor.ofVoid(a, l, i)),
                Map.entry("create", FunctionDescriptor.ofVoid(a, l, a, i, a)),
                Map.entry("getlk", FunctionDescriptor.ofVoid(a, l, a, a)),
                Map.entry("setlk", FunctionDescriptor.ofVoid(a, l, a, a, i)),
                Map.entry("flock", FunctionDescriptor.ofVoid(a, l, a, i)));
        Linker linker = Linker.nativeLinker();
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        for (int index = 0; index < FuseStructs.LOWLEVEL_OPS_ORDER.size(); index++) {
            String name = FuseStructs.LOWLEVEL_OPS_ORDER.get(index);
            FunctionDescriptor descriptor = implemented.get(name);
            if (descriptor == null) {
                continue;
            }
            try {
                MethodHandle target = lookup.findVirtual(LowLevelSession.class, "on" + capitalized(name),
                        descriptor.toMethodType()).bindTo(this);
                table.setAtIndex(ADDRESS, index, linker.upcallStub(target, descriptor, arena));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("no upcall method for " + name, e);
            }
        }
        return table;
    }

    private static String capitalized(String name) {
        return Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }

    // ------------------------------------------------------------ request helpers

    private Caller caller(MemorySegment req) throws Throwable {
        MemorySegment ctx = ((MemorySegment) fuse.reqCtx.invokeExact(req)).reinterpret(FuseStructs.CTX.byteSize());
        int uid = ctx.get(JAVA_INT, 0);
        int gid = ctx.get(JAVA_INT, 4);
        int pid = ctx.get(JAVA_INT, 8);
        int umask = ctx.get(JAVA_INT, 12);
        List<Integer> groups = List.of();
        // Root passes every check, so its groups are not worth reading from /proc.
        if (uid != 0) {
            try (Arena local = Arena.ofConfined()) {
                MemorySegment list = local.allocate(JAVA_INT, MAX_GROUPS);
                int n = (int) fuse.reqGetgroups.invokeExact(req, MAX_GROUPS, list);
                if (n > 0) {
                    List<Integer> found = new ArrayList<>(Math.min(n, MAX_GROUPS));
                    for (int k = 0; k < Math.min(n, MAX_GROUPS); k++) {
                        found.add(list.getAtIndex(JAVA_INT, k));
                    }
                    groups = found;
                }
            }
        }
        return new Caller(uid, gid, pid, umask, groups);
    }

    private static String string(MemorySegment pointer) {
        return pointer.reinterpret(Long.MAX_VALUE).getString(0);
    }

    private static long handle(MemorySegment fileInfo) {
        return fileInfo.equals(MemorySegment.NULL) ? -1 : NativeStructs.fileInfoHandle(fi(fileInfo));
    }

    private static MemorySegment fi(MemorySegment fileInfo) {
        return fileInfo.reinterpret(FuseStructs.FILE_INFO.byteSize());
    }

    /** A request that produces a reply; written as a lambda per operation. */
    @FunctionalInterface
    private interface Call {
        Reply run(Caller caller) throws Exception;
    }

    private void serve(String op, MemorySegment req, MemorySegment fileInfo, Call call) {
        try {
            Reply reply = call.run(caller(req));
            try (Arena local = Arena.ofConfined()) {
                replies.send(req, reply, fileInfo.equals(MemorySegment.NULL) ? fileInfo : fi(fileInfo), local);
            }
        } catch (Throwable t) {
            LOG.warn("{}: {} failed: {}", config.mountpoint(), op, t.toString(), t);
            replies.error(req, EIO);
        }
    }

    // ------------------------------------------------------------ upcalls (named on + C name)

    @SuppressWarnings("unused")
    private void onInit(MemorySegment userdata, MemorySegment connPointer) {
        try {
            MemorySegment conn = connPointer.reinterpret(FuseStructs.CONN_INFO.byteSize());
            conn.set(JAVA_INT, FuseStructs.CONN_MAX_WRITE, config.maxWriteBytes());
            int kernelReadahead = conn.get(JAVA_INT, FuseStructs.CONN_MAX_READAHEAD);
            conn.set(JAVA_INT, FuseStructs.CONN_MAX_READAHEAD, Math.min(kernelReadahead, config.maxReadaheadBytes()));
            int capable = conn.get(JAVA_INT, FuseStructs.CONN_CAPABLE);
            int want = conn.get(JAVA_INT, FuseStructs.CONN_WANT);
            conn.set(JAVA_INT, FuseStructs.CONN_WANT, want | (capable & (CAP_ASYNC_READ | CAP_PARALLEL_DIROPS)));
            // Timestamps are kept to the nanosecond.
            conn.set(JAVA_INT, FuseStructs.CONN_TIME_GRAN, 1);
            LOG.info("{}: FUSE session initialised (max write {} bytes, readahead {} bytes)", config.mountpoint(),
                    config.maxWriteBytes(), conn.get(JAVA_INT, FuseStructs.CONN_MAX_READAHEAD));
        } catch (Throwable t) {
            LOG.error("{}: init failed: {}", config.mountpoint(), t.toString(), t);
        }
    }

    @SuppressWarnings("unused")
    private void onLookup(MemorySegment req, long parent, MemorySegment name) {
        serve("lookup", req, MemorySegment.NULL, c -> operations.lookup(c, parent, string(name)));
    }

    @SuppressWarnings("unused")
    private void onForget(MemorySegment req, long inode, long lookups) {
        try {
            operations.forget(inode, lookups);
        } catch (Throwable t) {
            LOG.warn("{}: forget failed: {}", config.mountpoint(), t.toString());
        }
        replies.none(req);
    }

    @SuppressWarnings("unused")
    private void onGetattr(MemorySegment req, long inode, MemorySegment fileInfo) {
        serve("getattr", req, MemorySegment.NULL, c -> operations.getattr(c, inode, handle(fileInfo)));
    }

    @SuppressWarnings("unused")
    private void onSetattr(MemorySegment req, long inode, MemorySegment attr, int toSet, MemorySegment fileInfo) {
        serve("setattr", req, MemorySegment.NULL, c -> operations.setattr(c, inode,
                NativeStructs.readAttributeChange(attr.reinterpret(FuseStructs.STAT.byteSize()), toSet),
                handle(fileInfo)));
    }

    @SuppressWarnings("unused")
    private void onReadlink(MemorySegment req, long inode) {
        serve("readlink", req, MemorySegment.NULL, c -> operations.readlink(c, inode));
    }

    @SuppressWarnings("unused")
    private void onMknod(MemorySegment req, long parent, MemorySegment name, int mode, long rdev) {
        serve("mknod", req, MemorySegment.NULL, c -> operations.mknod(c, parent, string(name), mode, rdev));
    }

    @SuppressWarnings("unused")
    private void onMkdir(MemorySegment req, long parent, MemorySegment name, int mode) {
        serve("mkdir", req, MemorySegment.NULL, c -> operations.mkdir(c, parent, string(name), mode));
    }

    @SuppressWarnings("unused")
    private void onUnlink(MemorySegment req, long parent, MemorySegment name) {
        serve("unlink", req, MemorySegment.NULL, c -> operations.unlink(c, parent, string(name)));
    }

    @SuppressWarnings("unused")
    private void onRmdir(MemorySegment req, long parent, MemorySegment name) {
        serve("rmdir", req, MemorySegment.NULL, c -> operations.rmdir(c, parent, string(name)));
    }

    @SuppressWarnings("unused")
    private void onSymlink(MemorySegment req, MemorySegment target, long parent, MemorySegment name) {
        serve("symlink", req, MemorySegment.NULL, c -> operations.symlink(c, string(target), parent, string(name)));
    }

    @SuppressWarnings("unused")
    private void onRename(MemorySegment req, long parent, MemorySegment name, long newParent, MemorySegment newName,
                          int flags) {
        serve("rename", req, MemorySegment.NULL,
                c -> operations.rename(c, parent, string(name), newParent, string(newName), flags));
    }

    @SuppressWarnings("unused")
    private void onLink(MemorySegment req, long inode, long newParent, MemorySegment newName) {
        serve("link", req, MemorySegment.NULL, c -> operations.link(c, inode, newParent, string(newName)));
    }

    @SuppressWarnings("unused")
    private void onOpen(MemorySegment req, long inode, MemorySegment fileInfo) {
        serve("open", req, fileInfo, c -> operations.open(c, inode, NativeStructs.fileInfoFlags(fi(fileInfo))));
    }

    @SuppressWarnings("unused")
    private void onCreate(MemorySegment req, long parent, MemorySegment name, int mode, MemorySegment fileInfo) {
        serve("create", req, fileInfo,
                c -> operations.create(c, parent, string(name), mode, NativeStructs.fileInfoFlags(fi(fileInfo))));
    }

    @SuppressWarnings("unused")
    private void onRead(MemorySegment req, long inode, long size, long offset, MemorySegment fileInfo) {
        try (Arena local = Arena.ofConfined()) {
            MemorySegment buffer = local.allocate(Math.max(1, size));
            Caller caller = caller(req);
            Reply reply = operations.read(caller, inode, handle(fileInfo), offset,
                    buffer.asSlice(0, size).asByteBuffer());
            if (reply instanceof Reply.Data data) {
                replies.buffer(req, buffer, data.bytes());
            } else {
                replies.send(req, reply, MemorySegment.NULL, local);
            }
        } catch (Throwable t) {
            LOG.warn("{}: read failed: {}", config.mountpoint(), t.toString(), t);
            replies.error(req, EIO);
        }
    }

    @SuppressWarnings("unused")
    private void onWrite(MemorySegment req, long inode, MemorySegment data, long size, long offset,
                         MemorySegment fileInfo) {
        serve("write", req, MemorySegment.NULL, c -> operations.write(c, inode, handle(fileInfo), offset,
                data.reinterpret(size).asByteBuffer()));
    }

    @SuppressWarnings("unused")
    private void onFlush(MemorySegment req, long inode, MemorySegment fileInfo) {
        serve("flush", req, MemorySegment.NULL, c -> operations.flush(c, inode, handle(fileInfo),
                NativeStructs.fileInfoLockOwner(fi(fileInfo))));
    }

    @SuppressWarnings("unused")
    private void onRelease(MemorySegment req, long inode, MemorySegment fileInfo) {
        serve("release", req, MemorySegment.NULL, c -> operations.release(c, inode, handle(fileInfo),
                NativeStructs.fileInfoLockOwner(fi(fileInfo)), NativeStructs.fileInfoFlockRelease(fi(fileInfo))));
    }

    @SuppressWarnings("unused")
    private void onFsync(MemorySegment req, long inode, int dataOnly, MemorySegment fileInfo) {
        serve("fsync", req, MemorySegment.NULL, c -> operations.fsync(c, inode, handle(fileInfo), dataOnly != 0));
    }

    @SuppressWarnings("unused")
    private void onOpendir(MemorySegment req, long inode, MemorySegment fileInfo) {
        serve("opendir", req, fileInfo, c -> operations.opendir(c, inode, NativeStructs.fileInfoFlags(fi(fileInfo))));
    }

    @SuppressWarnings("unused")
    private void onReaddir(MemorySegment req, long inode, long size, long offset, MemorySegment fileInfo) {
        try (Arena local = Arena.ofConfined()) {
            Reply reply = operations.readdir(caller(req), inode, handle(fileInfo), offset, size);
            if (reply instanceof Reply.Directory directory) {
                replies.directory(req, directory, size, local);
            } else {
                replies.send(req, reply, MemorySegment.NULL, local);
            }
        } catch (Throwable t) {
            LOG.warn("{}: readdir failed: {}", config.mountpoint(), t.toString(), t);
            replies.error(req, EIO);
        }
    }

    @SuppressWarnings("unused")
    private void onReleasedir(MemorySegment req, long inode, MemorySegment fileInfo) {
        serve("releasedir", req, MemorySegment.NULL, c -> operations.releasedir(c, inode, handle(fileInfo)));
    }

    @SuppressWarnings("unused")
    private void onStatfs(MemorySegment req, long inode) {
        serve("statfs", req, MemorySegment.NULL, c -> operations.statfs(c, inode));
    }

    @SuppressWarnings("unused")
    private void onSetxattr(MemorySegment req, long inode, MemorySegment name, MemorySegment value, long size,
                            int flags) {
        serve("setxattr", req, MemorySegment.NULL, c -> operations.setxattr(c, inode, string(name),
                size == 0 ? new byte[0] : value.reinterpret(size).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                flags));
    }

    @SuppressWarnings("unused")
    private void onGetxattr(MemorySegment req, long inode, MemorySegment name, long size) {
        serve("getxattr", req, MemorySegment.NULL, c -> operations.getxattr(c, inode, string(name), size));
    }

    @SuppressWarnings("unused")
    private void onListxattr(MemorySegment req, long inode, long size) {
        serve("listxattr", req, MemorySegment.NULL, c -> operations.listxattr(c, inode, size));
    }

    @SuppressWarnings("unused")
    private void onRemovexattr(MemorySegment req, long inode, MemorySegment name) {
        serve("removexattr", req, MemorySegment.NULL, c -> operations.removexattr(c, inode, string(name)));
    }

    @SuppressWarnings("unused")
    private void onGetlk(MemorySegment req, long inode, MemorySegment fileInfo, MemorySegment flock) {
        serve("getlk", req, MemorySegment.NULL, c -> operations.getlk(c, inode, handle(fileInfo),
                NativeStructs.fileInfoLockOwner(fi(fileInfo)),
                NativeStructs.readFlock(flock.reinterpret(FuseStructs.FLOCK.byteSize()))));
    }

    @SuppressWarnings("unused")
    private void onSetlk(MemorySegment req, long inode, MemorySegment fileInfo, MemorySegment flock, int sleep) {
        serve("setlk", req, MemorySegment.NULL, c -> operations.setlk(c, inode, handle(fileInfo),
                NativeStructs.fileInfoLockOwner(fi(fileInfo)),
                NativeStructs.readFlock(flock.reinterpret(FuseStructs.FLOCK.byteSize())), sleep != 0,
                () -> interrupted(req)));
    }

    @SuppressWarnings("unused")
    private void onFlock(MemorySegment req, long inode, MemorySegment fileInfo, int operation) {
        serve("flock", req, MemorySegment.NULL, c -> operations.flock(c, inode, handle(fileInfo),
                NativeStructs.fileInfoLockOwner(fi(fileInfo)), operation, () -> interrupted(req)));
    }

    private boolean interrupted(MemorySegment req) {
        try {
            return (int) fuse.reqInterrupted.invokeExact(req) != 0;
        } catch (Throwable t) {
            return false;
        }
    }

    @SuppressWarnings("unused")
    private void onAccess(MemorySegment req, long inode, int mask) {
        serve("access", req, MemorySegment.NULL, c -> operations.access(c, inode, mask));
    }
}
