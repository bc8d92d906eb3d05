package org.mooseng.master.raft;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.core.NodeImpl;
import com.alipay.sofa.jraft.entity.EnumOutter;
import com.alipay.sofa.jraft.error.RaftError;
import com.alipay.sofa.jraft.error.RaftException;

/**
 * Checks the free space of the file system holding a member's Raft directory (the member calls
 * {@link #check} every second) and reports, once, when it falls below the reserve. RocksDB
 * preallocates its write-ahead logs, so on a full disk appends into the preallocated part keep
 * succeeding and the failure only comes at the next memtable flush or file rotation, possibly
 * half-way through it: stopping at the reserve makes a full disk a clean, prompt step-down.
 */
public final class DiskSpaceGuard {

    /** The usable bytes of the file system holding a path (a seam for tests). */
    @FunctionalInterface
    public interface FreeSpace {
        long usableBytes(Path path) throws IOException;

        FreeSpace FILE_STORE = path -> Files.getFileStore(path).getUsableSpace();
    }

    private final Path dir;
    private final long minFreeBytes;
    private final FreeSpace freeSpace;
    private final Consumer<String> onLowSpace;
    private final AtomicBoolean tripped = new AtomicBoolean();

    /**
     * @param onLowSpace told once, with the reason, when {@code dir}'s file system has less than
     *                   {@code minFreeBytes} usable (or cannot be asked)
     */
    public DiskSpaceGuard(Path dir, long minFreeBytes, FreeSpace freeSpace, Consumer<String> onLowSpace) {
        this.dir = dir;
        this.minFreeBytes = minFreeBytes;
        this.freeSpace = freeSpace;
        this.onLowSpace = onLowSpace;
    }

    /** Checks once; true while there is room (always with a reserve of 0). */
    public boolean check() {
        if (tripped.get()) {
            return false;
        }
        if (minFreeBytes == 0) {
            return true;
        }
        String problem;
        try {
            long usable = freeSpace.usableBytes(dir);
            if (usable >= minFreeBytes) {
                return true;
            }
            problem = "only " + bytes(usable) + " free on the disk of " + dir + ", below the reserve of "
                    + bytes(minFreeBytes);
        } catch (IOException | RuntimeException e) {
            problem = "cannot read the free space of " + dir + ": " + e;
        }
        if (tripped.compareAndSet(false, true)) {
            onLowSpace.accept(problem);
        }
        return false;
    }

    /**
     * Stops a Raft member the way jraft stops one whose log write failed: a leader steps down,
     * and the member neither votes nor stands (nor, as a learner, receives the log) until its
     * process is restarted.
     */
    public static void stopMember(Node node, String reason) {
        if (node instanceof NodeImpl impl) {
            RaftException error = new RaftException(EnumOutter.ErrorType.ERROR_TYPE_LOG);
            error.setStatus(new Status(RaftError.EIO, "%s", reason));
            impl.onError(error);
        }
    }

    public static String bytes(long n) {
        if (n >= 10L << 20) {
            return (n >> 20) + " MiB";
        }
        if (n >= 10L << 10) {
            return (n >> 10) + " KiB";
        }
        return n + " bytes";
    }
}
