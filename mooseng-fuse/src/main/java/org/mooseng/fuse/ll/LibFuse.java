package org.mooseng.fuse.ll;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Downcall handles into libfuse3. The library is looked up by absolute path first, because
 * the JDK's own search path does not include Debian's multiarch directory.
 */
public final class LibFuse {
    static final List<Path> CANDIDATES = List.of(
            Path.of("/lib/x86_64-linux-gnu/libfuse3.so.3"),
            Path.of("/usr/lib/x86_64-linux-gnu/libfuse3.so.3"));
    static final String NOT_FOUND = "libfuse3 not found: install fuse3 (apt-get install fuse3)";

    private static volatile LibFuse instance;

    final MethodHandle sessionNew;
    final MethodHandle setSignalHandlers;
    final MethodHandle removeSignalHandlers;
    final MethodHandle sessionMount;
    final MethodHandle sessionUnmount;
    final MethodHandle sessionDestroy;
    final MethodHandle sessionExit;
    /** fuse_session_loop_mt_312(se, cfg) with cfg from fuse_loop_cfg_create, when present. */
    final MethodHandle loopMt312;
    final MethodHandle loopCfgCreate;
    final MethodHandle loopCfgDestroy;
    final MethodHandle loopCfgSetMaxThreads;
    final MethodHandle loopCfgSetIdleThreads;
    final MethodHandle loopCfgSetCloneFd;
    /** fuse_session_loop_mt_32(se, struct fuse_loop_config_v32 *), for libfuse 3.2 .. 3.11. */
    final MethodHandle loopMt32;
    final MethodHandle replyErr;
    final MethodHandle replyNone;
    final MethodHandle replyEntry;
    final MethodHandle replyCreate;
    final MethodHandle replyAttr;
    final MethodHandle replyReadlink;
    final MethodHandle replyOpen;
    final MethodHandle replyWrite;
    final MethodHandle replyBuf;
    final MethodHandle replyStatfs;
    final MethodHandle replyXattr;
    final MethodHandle replyLock;
    final MethodHandle addDirentry;
    final MethodHandle addDirentryPlus;
    final MethodHandle reqCtx;
    final MethodHandle reqGetgroups;
    final MethodHandle reqInterrupted;
    /** fuse_lowlevel_notify_inval_inode(se, ino, off, len); a negative off drops the attributes only. */
    final MethodHandle notifyInvalInode;

    private LibFuse(SymbolLookup lib) {
        Linker linker = Linker.nativeLinker();
        sessionNew = handle(linker, lib, "fuse_session_new", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
        setSignalHandlers = handle(linker, lib, "fuse_set_signal_handlers", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        removeSignalHandlers = handle(linker, lib, "fuse_remove_signal_handlers", FunctionDescriptor.ofVoid(ADDRESS));
        sessionMount = handle(linker, lib, "fuse_session_mount", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        sessionUnmount = handle(linker, lib, "fuse_session_unmount", FunctionDescriptor.ofVoid(ADDRESS));
        sessionDestroy = handle(linker, lib, "fuse_session_destroy", FunctionDescriptor.ofVoid(ADDRESS));
        sessionExit = handle(linker, lib, "fuse_session_exit", FunctionDescriptor.ofVoid(ADDRESS));
        loopMt312 = optionalHandle(linker, lib, "fuse_session_loop_mt_312", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        loopCfgCreate = optionalHandle(linker, lib, "fuse_loop_cfg_create", FunctionDescriptor.of(ADDRESS));
        loopCfgDestroy = optionalHandle(linker, lib, "fuse_loop_cfg_destroy", FunctionDescriptor.ofVoid(ADDRESS));
        loopCfgSetMaxThreads = optionalHandle(linker, lib, "fuse_loop_cfg_set_max_threads", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
        loopCfgSetIdleThreads = optionalHandle(linker, lib, "fuse_loop_cfg_set_idle_threads", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
        loopCfgSetCloneFd = optionalHandle(linker, lib, "fuse_loop_cfg_set_clone_fd", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
        loopMt32 = optionalHandle(linker, lib, "fuse_session_loop_mt_32", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        replyErr = handle(linker, lib, "fuse_reply_err", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        replyNone = handle(linker, lib, "fuse_reply_none", FunctionDescriptor.ofVoid(ADDRESS));
        replyEntry = handle(linker, lib, "fuse_reply_entry", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        replyCreate = handle(linker, lib, "fuse_reply_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        replyAttr = handle(linker, lib, "fuse_reply_attr", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_DOUBLE));
        replyReadlink = handle(linker, lib, "fuse_reply_readlink", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        replyOpen = handle(linker, lib, "fuse_reply_open", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        replyWrite = handle(linker, lib, "fuse_reply_write", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
        replyBuf = handle(linker, lib, "fuse_reply_buf", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
        replyStatfs = handle(linker, lib, "fuse_reply_statfs", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        replyXattr = handle(linker, lib, "fuse_reply_xattr", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
        replyLock = handle(linker, lib, "fuse_reply_lock", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        addDirentry = handle(linker, lib, "fuse_add_direntry",
                FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG));
        addDirentryPlus = handle(linker, lib, "fuse_add_direntry_plus",
                FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG));
        reqCtx = handle(linker, lib, "fuse_req_ctx", FunctionDescriptor.of(ADDRESS, ADDRESS));
        reqInterrupted = handle(linker, lib, "fuse_req_interrupted", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        notifyInvalInode = handle(linker, lib, "fuse_lowlevel_notify_inval_inode",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG));
        reqGetgroups = handle(linker, lib, "fuse_req_getgroups", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
        if (loopMt312 == null && loopMt32 == null) {
            throw new IllegalStateException("libfuse3 has neither fuse_session_loop_mt_312 nor fuse_session_loop_mt_32");
        }
    }

    /** Loads libfuse3 once per JVM; throws {@link IllegalStateException} with an install hint when it is missing. */
    public static LibFuse load() {
        LibFuse loaded = instance;
        if (loaded == null) {
            synchronized (LibFuse.class) {
                loaded = instance;
                if (loaded == null) {
                    loaded = new LibFuse(lookup());
                    instance = loaded;
                }
            }
        }
        return loaded;
    }

    /** Where the library was found, or empty; for diagnostics and tests. */
    public static Optional<Path> location() {
        return CANDIDATES.stream().filter(Files::isReadable).findFirst();
    }

    private static SymbolLookup lookup() {
        String arch = System.getProperty("os.arch");
        if (!"amd64".equals(arch) && !"x86_64".equals(arch)) {
            throw new IllegalStateException("the FUSE binding describes x86_64 structs only; this JVM runs on " + arch);
        }
        Optional<Path> path = location();
        if (path.isPresent()) {
            return SymbolLookup.libraryLookup(path.get(), Arena.global());
        }
        try {
            return SymbolLookup.libraryLookup(System.mapLibraryName("fuse3") + ".3", Arena.global());
        } catch (IllegalArgumentException e) {
            try {
                return SymbolLookup.libraryLookup(System.mapLibraryName("fuse3"), Arena.global());
            } catch (IllegalArgumentException again) {
                throw new IllegalStateException(NOT_FOUND, again);
            }
        }
    }

    private static MethodHandle handle(Linker linker, SymbolLookup lib, String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = lib.find(name)
                .orElseThrow(() -> new IllegalStateException("libfuse3 lacks " + name + " (need 3.2 or newer)"));
        return linker.downcallHandle(symbol, descriptor);
    }

    private static MethodHandle optionalHandle(Linker linker, SymbolLookup lib, String name,
                                               FunctionDescriptor descriptor) {
        return lib.find(name).map(s -> linker.downcallHandle(s, descriptor)).orElse(null);
    }
}
