package org.mooseng.chunkserver.store;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import org.mooseng.common.Layout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads that only the page cache serves: {@code preadv2(2)} with {@code RWF_NOWAIT} on a file
 * descriptor of our own, so a network thread can answer a read of cached bytes at once and
 * hand one that would wait for the disk to a disk thread. Linux only; where the call or the
 * flag is missing (or the file system refuses it) {@link #available} is false and every read
 * goes to the disk threads as before.
 */
final class CachedReads {
    private static final Logger LOG = LoggerFactory.getLogger(CachedReads.class);
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int RWF_NOWAIT = 0x8;
    private static final int EINTR = 4;
    private static final int EINVAL = 22;
    private static final int ENOSYS = 38;
    private static final int EOPNOTSUPP = 95;

    /** Result of {@link #read} when a byte of the range is not in the page cache. */
    static final int NOT_CACHED = -1;

    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle OPEN;
    private static final MethodHandle CLOSE;
    private static final MethodHandle PREADV2;
    private static volatile boolean available;
    private static final ThreadLocal<Reader> READERS = ThreadLocal.withInitial(Reader::new);

    static {
        MethodHandle open = null;
        MethodHandle close = null;
        MethodHandle preadv2 = null;
        try {
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            Linker.Option errno = Linker.Option.captureCallState("errno");
            open = linker.downcallHandle(libc.find("open").orElseThrow(),
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), errno);
            close = linker.downcallHandle(libc.find("close").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
            preadv2 = linker.downcallHandle(libc.find("preadv2").orElseThrow(),
                    FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_INT), errno);
            available = true;
        } catch (RuntimeException | LinkageError e) {
            LOG.info("reads from the page cache on network threads are off: {}", e.toString());
        }
        OPEN = open;
        CLOSE = close;
        PREADV2 = preadv2;
    }

    private CachedReads() {
    }

    static boolean available() {
        return available;
    }

    /** Opens {@code file} for reading; -1 when it cannot be. */
    static int open(Path file) {
        if (!available) {
            return -1;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            return (int) OPEN.invokeExact(state, arena.allocateFrom(file.toString()), O_RDONLY | O_CLOEXEC);
        } catch (Throwable t) {
            return -1;
        }
    }

    static void close(int fd) {
        if (fd < 0) {
            return;
        }
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            LOG.debug("close({}) failed: {}", fd, t.toString());
        }
    }

    /** The calling thread's {@link Reader}. */
    static Reader reader() {
        return READERS.get();
    }

    /** One thread's room for reads of one block, made once: the block, its iovec, the call's errno. */
    static final class Reader {
        private final MemorySegment block;
        private final MemorySegment iovec;
        private final MemorySegment state;

        private Reader() {
            Arena arena = Arena.ofAuto();
            block = arena.allocate(Layout.BLOCK_SIZE_BYTES, 4096);
            iovec = arena.allocate(16, 8);
            iovec.set(ADDRESS, 0, block);
            iovec.set(JAVA_LONG, 8, block.byteSize());
            state = arena.allocate(CALL_STATE);
        }

        /** What the last {@link #read} read. */
        MemorySegment block() {
            return block;
        }

        /**
         * Reads the block at {@code position} into {@link #block} if the page cache holds it:
         * the number of bytes read (fewer only at the end of the file), or {@link #NOT_CACHED}
         * when reading would wait for the disk, or failed in any way (the disk thread's read
         * then finds out why).
         */
        long read(int fd, long position) {
            try {
                return readOrThrow(fd, position);
            } catch (Throwable t) {
                return NOT_CACHED;
            }
        }

        private long readOrThrow(int fd, long position) throws Throwable {
            while (true) {
                long n = (long) PREADV2.invokeExact(state, fd, iovec, 1, position, RWF_NOWAIT);
                if (n >= 0) {
                    return n;
                }
                int errno = (int) ERRNO.get(state, 0L);
                if (errno == EINTR) {
                    continue;
                }
                if (errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP) { // no RWF_NOWAIT here
                    available = false;
                    LOG.info("reads from the page cache on network threads are off: preadv2 failed with errno {}",
                            errno);
                }
                return NOT_CACHED; // EAGAIN: not cached; any other failure: the disk thread's read reports it
            }
        }
    }
}
