package org.mooseng.jmh;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.mooseng.meta.MetaStore;
import org.mooseng.proto.AttrReply;
import org.mooseng.proto.MetaOp;
import org.mooseng.proto.MetaResult;
import org.mooseng.proto.ReadDirReply;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Namespace operations on the master's store ({@link MetaStore}) without Raft: {@code create},
 * {@code rename} (within a directory) and {@code unlink} of a regular file applied as committed
 * log records (one RocksDB write batch each, WAL without fsync, with the op's entry in the
 * table of applied requests), and the reads {@code lookup} (parent + name) and {@code getAttr}
 * (inode) of the files of one directory of {@code files} entries, and {@code list}, the
 * whole packed listing of that directory as the mount pages through it.
 *
 * <p>The cache holds {@code cacheEntries} inodes and entries (the master's default, so reads
 * of a small directory all hit it; {@code -p cacheEntries=1000} makes them go to RocksDB).
 * Threads (-t) each write in a directory of their own; applies are serialised by the store,
 * as the Raft state machine applies one record at a time, while reads run in parallel.
 *
 * <p>Building an op's record (a protobuf with the time and a random request id) is inside
 * the measured time, as it is on the master, and is a small part of an apply.
 *
 * <p>Average time per op. This is the floor under a metadata op's latency and the ceiling of
 * its throughput on one master: a regression in an apply (more reads or writes per op, a
 * slower codec, cache misses) shows in every client's create, rename and unlink; one in the
 * reads in every lookup and stat.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {JvmFlags.HEAP, JvmFlags.GC}, jvmArgsAppend = {JvmFlags.NATIVE_ACCESS, JvmFlags.UNSAFE,
        JvmFlags.OPEN_LANG, JvmFlags.OPEN_NIO, JvmFlags.OPEN_NIO_CHANNELS, JvmFlags.OPEN_UTIL,
        JvmFlags.NETTY_REFLECTION, JvmFlags.SOFA_LOGGING})
@State(Scope.Benchmark)
public class NamespaceBenchmark {
    /** Files each thread renames in turn, back and forth between two names. */
    static final int RENAMED_FILES = 1_000;
    /** An odd step: n * STEP modulo the directory size spreads the reads over its files. */
    private static final long STEP = 40_503;
    /** Entries per readdir page: what the mount fetches at once. */
    static final int LISTING_PAGE = 4096;
    /** Bytes of a packed entry between its cookie and its name's length (see ReadDirReply). */
    private static final int PACKED_FIXED_BYTES = 9;

    /** Directory under which the store is made (a path, or java.io.tmpdir). */
    @Param(WorkDirectory.TMPDIR)
    public String dir;

    /** Entries of the directory that lookup and getAttr read. */
    @Param("10000")
    public int files;

    /** Size of the store's cache: the default of METADATA_CACHE_ENTRIES. */
    @Param("1000000")
    public long cacheEntries;

    Path work;
    MetaStore store;
    long listed;
    String[] listedNames;
    long[] listedInodes;
    /** {@link #RENAMED_FILES}; fewer in tests, where creating them would take most of the time. */
    int renamedFiles = RENAMED_FILES;
    /** {@link #LISTING_PAGE}; fewer in tests, so that a small directory takes several pages. */
    int listingPage = LISTING_PAGE;
    private long index;
    private final AtomicInteger nextDirectory = new AtomicInteger();

    @Setup(Level.Trial)
    public void openStore() throws IOException {
        work = WorkDirectory.create(dir, "mooseng-jmh-meta-");
        store = MetaStore.open(work.resolve("meta"), cacheEntries);
        apply(Ops.format("jmh"));
        listed = apply(Ops.createDirectory(Ops.ROOT_INODE, "listed")).getAttr().getInode();
        listedNames = new String[files];
        listedInodes = new long[files];
        for (int i = 0; i < files; i++) {
            listedNames[i] = "file-" + i;
            listedInodes[i] = apply(Ops.createFile(listed, listedNames[i])).getAttr().getInode();
        }
    }

    @TearDown(Level.Trial)
    public void closeStore() throws IOException {
        store.close();
        WorkDirectory.delete(work);
    }

    long newDirectory(String prefix) {
        return apply(Ops.createDirectory(Ops.ROOT_INODE, prefix + nextDirectory.getAndIncrement())).getAttr().getInode();
    }

    /** Applies a record at the next log index, as the Raft adapter does: one at a time, in index order. */
    synchronized MetaResult apply(MetaOp op) {
        return Ops.accepted(op, store.apply(++index, op));
    }

    /** One thread: its own directory, the files it renames, and its place in the listed directory. */
    @State(Scope.Thread)
    public static class Worker {
        long directory;
        String[] names;
        String[] movedNames;
        long created;
        long renamed;
        private long reads;

        @Setup(Level.Trial)
        public void prepare(NamespaceBenchmark namespace) {
            directory = namespace.newDirectory("worker-");
            names = new String[namespace.renamedFiles];
            movedNames = new String[namespace.renamedFiles];
            for (int i = 0; i < names.length; i++) {
                names[i] = "renamed-" + i;
                movedNames[i] = "renamed-" + i + ".moved";
                namespace.apply(Ops.createFile(directory, names[i]));
            }
        }

        int nextListed(int files) {
            return (int) (reads++ * STEP % files);
        }
    }

    /**
     * One unlinking thread: its own directory and the file its next unlink removes, created
     * before each call and outside its time. Per invocation, which JMH warns about for short
     * calls: an apply takes tens of microseconds, against well under one for the time stamps
     * around each call. (A state of its own, not {@link Worker}: JMH gives a state that another
     * state's set-up takes an instance of its own.)
     */
    @State(Scope.Thread)
    public static class UnlinkTarget {
        long directory;
        String name;
        private long unlinked;

        @Setup(Level.Trial)
        public void makeDirectory(NamespaceBenchmark namespace) {
            directory = namespace.newDirectory("unlinker-");
        }

        @Setup(Level.Invocation)
        public void createFile(NamespaceBenchmark namespace) {
            name = "unlinked-" + unlinked++;
            namespace.apply(Ops.createFile(directory, name));
        }
    }

    @Benchmark
    public MetaResult create(Worker worker) {
        return apply(Ops.createFile(worker.directory, "created-" + worker.created++));
    }

    @Benchmark
    public MetaResult rename(Worker worker) {
        int files = worker.names.length;
        int file = (int) (worker.renamed % files);
        boolean away = worker.renamed++ / files % 2 == 0;
        return away ? apply(Ops.rename(worker.directory, worker.names[file], worker.movedNames[file]))
                : apply(Ops.rename(worker.directory, worker.movedNames[file], worker.names[file]));
    }

    @Benchmark
    public MetaResult unlink(UnlinkTarget target) {
        return apply(Ops.unlink(target.directory, target.name));
    }

    @Benchmark
    public AttrReply lookup(Worker worker) {
        return found(store.lookup(Ops.ROOT, listed, listedNames[worker.nextListed(files)]));
    }

    @Benchmark
    public AttrReply getAttr(Worker worker) {
        return found(store.getAttr(listedInodes[worker.nextListed(files)]));
    }

    /**
     * The whole listing of the directory of {@code files} entries, packed, in pages of {@link
     * #LISTING_PAGE} entries as the mount asks for them; returns the entries listed. Divided by
     * {@code files}, the master's cost per entry of a readdir.
     */
    @Benchmark
    public int list() {
        int entries = 0;
        long cookie = 0;
        while (true) {
            ReadDirReply page = store.readDirPacked(Ops.ROOT, listed, cookie, listingPage);
            if (page.getStatus() != 0) {
                throw new IllegalStateException("readdir failed with status " + page.getStatus());
            }
            ByteBuffer packed = page.getPackedEntries().asReadOnlyByteBuffer();
            long last = cookie;
            while (packed.hasRemaining()) {
                last = packed.getLong();
                packed.position(packed.position() + PACKED_FIXED_BYTES);
                int nameBytes = Short.toUnsignedInt(packed.getShort());
                packed.position(packed.position() + nameBytes);
                entries++;
            }
            if (page.getEof()) {
                return entries;
            }
            cookie = last;
        }
    }

    private static AttrReply found(AttrReply reply) {
        if (reply.getStatus() != 0) {
            throw new IllegalStateException("read failed with status " + reply.getStatus() + ": " + reply.getMessage());
        }
        return reply;
    }
}
