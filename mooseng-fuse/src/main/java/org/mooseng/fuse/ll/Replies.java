package org.mooseng.fuse.ll;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Sends a {@link Reply} through the matching fuse_reply_* call. */
final class Replies {
    private static final Logger LOG = LoggerFactory.getLogger(Replies.class);
    private static final int EIO = 5;

    private final LibFuse fuse;

    Replies(LibFuse fuse) {
        this.fuse = fuse;
    }

    /** {@code fileInfo}: the request's fuse_file_info (sized), or NULL where the operation has none. */
    void send(MemorySegment req, Reply reply, MemorySegment fileInfo, Arena arena) throws Throwable {
        int result = switch (reply) {
            case Reply.Error e -> (int) fuse.replyErr.invokeExact(req, e.errno());
            case Reply.None n -> {
                fuse.replyNone.invokeExact(req);
                yield 0;
            }
            case Reply.Entry e -> {
                MemorySegment entry = arena.allocate(FuseStructs.ENTRY_PARAM);
                NativeStructs.writeEntry(entry, e);
                yield (int) fuse.replyEntry.invokeExact(req, entry);
            }
            case Reply.Attributes a -> {
                MemorySegment stat = arena.allocate(FuseStructs.STAT);
                NativeStructs.writeStat(stat, a.attributes());
                yield (int) fuse.replyAttr.invokeExact(req, stat, a.timeoutSeconds());
            }
            case Reply.Readlink r -> (int) fuse.replyReadlink.invokeExact(req, arena.allocateFrom(r.target()));
            case Reply.Open o -> {
                requireFileInfo(fileInfo, "open");
                NativeStructs.writeOpen(fileInfo, o);
                yield (int) fuse.replyOpen.invokeExact(req, fileInfo);
            }
            case Reply.Create c -> {
                requireFileInfo(fileInfo, "create");
                MemorySegment entry = arena.allocate(FuseStructs.ENTRY_PARAM);
                NativeStructs.writeEntry(entry, c.entry());
                NativeStructs.writeOpen(fileInfo, c.open());
                yield (int) fuse.replyCreate.invokeExact(req, entry, fileInfo);
            }
            case Reply.Written w -> (int) fuse.replyWrite.invokeExact(req, w.bytes());
            case Reply.Data d -> throw new IllegalStateException("a Data reply needs the read's buffer");
            case Reply.Bytes b -> {
                MemorySegment value = arena.allocate(Math.max(1, b.value().length));
                MemorySegment.copy(b.value(), 0, value, ValueLayout.JAVA_BYTE, 0, b.value().length);
                yield (int) fuse.replyBuf.invokeExact(req, value, (long) b.value().length);
            }
            case Reply.XattrSize x -> (int) fuse.replyXattr.invokeExact(req, x.bytes());
            case Reply.Statfs s -> {
                MemorySegment statvfs = arena.allocate(FuseStructs.STATVFS);
                NativeStructs.writeStatfs(statvfs, s);
                yield (int) fuse.replyStatfs.invokeExact(req, statvfs);
            }
            case Reply.Lock l -> {
                MemorySegment flock = arena.allocate(FuseStructs.FLOCK);
                NativeStructs.writeFlock(flock, l.lock());
                yield (int) fuse.replyLock.invokeExact(req, flock);
            }
            case Reply.Directory d -> throw new IllegalStateException("a Directory reply needs the readdir size");
            case Reply.Dirents d -> {
                int used = d.packed().remaining();
                MemorySegment buffer = arena.allocate(Math.max(1, used));
                MemorySegment.copy(MemorySegment.ofBuffer(d.packed()), 0, buffer, 0, used);
                yield (int) fuse.replyBuf.invokeExact(req, buffer, (long) used);
            }
        };
        if (result < 0) {
            // The kernel dropped the request (an interrupted caller): nothing left to answer.
            LOG.debug("reply {} not delivered: errno {}", reply.getClass().getSimpleName(), -result);
        }
    }

    void buffer(MemorySegment req, MemorySegment data, int bytes) throws Throwable {
        int ignored = (int) fuse.replyBuf.invokeExact(req, data, (long) bytes);
    }

    /** Packs entries until the next one would not fit in {@code maxBytes} ({@link DirentPacker}) and sends them. */
    void directory(MemorySegment req, Reply.Directory directory, long maxBytes, Arena arena) throws Throwable {
        ByteBuffer packed = DirentPacker.pack(directory.items(), maxBytes);
        int used = packed.remaining();
        MemorySegment buffer = arena.allocate(Math.max(1, used));
        MemorySegment.copy(MemorySegment.ofBuffer(packed), 0, buffer, 0, used);
        int ignored = (int) fuse.replyBuf.invokeExact(req, buffer, (long) used);
    }

    void none(MemorySegment req) {
        try {
            fuse.replyNone.invokeExact(req);
        } catch (Throwable t) {
            LOG.warn("fuse_reply_none failed: {}", t.toString());
        }
    }

    void error(MemorySegment req, int errno) {
        try {
            int ignored = (int) fuse.replyErr.invokeExact(req, errno == 0 ? EIO : errno);
        } catch (Throwable t) {
            LOG.error("fuse_reply_err failed: {}", t.toString());
        }
    }

    private static void requireFileInfo(MemorySegment fileInfo, String op) {
        if (fileInfo.equals(MemorySegment.NULL)) {
            throw new IllegalStateException(op + " reply without fuse_file_info");
        }
    }
}
