package org.mooseng.fuse.ll;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DirentPackerTest {
    private static final List<DirectoryItem> ITEMS = List.of(
            new DirectoryItem(".", 1, FileAttributes.S_IFDIR, 1),
            new DirectoryItem("..", 1, FileAttributes.S_IFDIR, 2),
            new DirectoryItem("a", 7, 0100000, 3),
            new DirectoryItem("seven77", 8, 0120000, 4),
            new DirectoryItem("exactly-eight-byte", 9, 0100000, 5),
            new DirectoryItem("größe-ü-日本語", 10, 0100000, 6),
            new DirectoryItem("x".repeat(255), Long.MAX_VALUE, 0040000, Long.MAX_VALUE - 1));

    /** What libfuse's own fuse_add_direntry writes for the same entries and buffer size. */
    private static byte[] packedByLibfuse(List<DirectoryItem> items, long maxBytes) throws Throwable {
        LibFuse fuse = LibFuse.load();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(Math.max(1, maxBytes));
            MemorySegment stat = arena.allocate(FuseStructs.STAT);
            long used = 0;
            for (DirectoryItem item : items) {
                stat.set(ValueLayout.JAVA_LONG, FuseStructs.STAT_INO, item.inode());
                stat.set(ValueLayout.JAVA_INT, FuseStructs.STAT_MODE, item.mode());
                long size = (long) fuse.addDirentry.invokeExact(MemorySegment.NULL, buffer.asSlice(used),
                        maxBytes - used, arena.allocateFrom(new String(item.name(), java.nio.charset.StandardCharsets.UTF_8)), stat, item.nextOffset());
                if (size > maxBytes - used) {
                    break;
                }
                used += size;
            }
            return buffer.asSlice(0, used).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    private static byte[] packed(List<DirectoryItem> items, long maxBytes) {
        ByteBuffer packed = DirentPacker.pack(items, maxBytes);
        byte[] bytes = new byte[packed.remaining()];
        packed.get(bytes);
        return bytes;
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 23, 24, 31, 32, 64, 100, 4096})
    void packsByteForByteWhatLibfuseWouldForEveryBufferSize(long maxBytes) throws Throwable {
        assertThat(packed(ITEMS, maxBytes)).isEqualTo(packedByLibfuse(ITEMS, maxBytes));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 8, 9, 100})
    void aReplyOfManyEntriesStopsAtTheFirstThatDoesNotFit(int count) throws Throwable {
        List<DirectoryItem> many = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            many.add(new DirectoryItem("f" + "0".repeat(i % count) + i, 100 + i, 0100000, 3 + i));
        }
        byte[] ours = packed(many, 4096);
        assertThat(ours).isEqualTo(packedByLibfuse(many, 4096));
        assertThat(ours.length).isLessThanOrEqualTo(4096).isGreaterThan(4096 - DirentPacker.entryBytes(count + 10));
    }

    @Test
    void aDirentBufferCopiesNamesFromWithinAnArrayAndItsEntriesReadBack() throws Throwable {
        byte[] records = "..xxa|seven77|größe-ü-日本語".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        List<DirectoryItem> expected = List.of(ITEMS.get(0), ITEMS.get(1), ITEMS.get(2), ITEMS.get(3), ITEMS.get(5));
        int capacity = expected.stream().mapToInt(item -> DirentBuffer.entryBytes(item.name().length)).sum();
        DirentBuffer out = new DirentBuffer(capacity);
        assertThat(out.add(1, FileAttributes.S_IFDIR, 1, records, 0, 1)).isTrue();
        assertThat(out.add(1, FileAttributes.S_IFDIR, 2, records, 0, 2)).isTrue();
        assertThat(out.add(7, 0100000, 3, records, 4, 1)).isTrue();
        assertThat(out.add(8, 0120000, 4, records, 6, 7)).isTrue();
        int umlaut = 14;
        assertThat(out.add(10, 0100000, 6, records, umlaut, records.length - umlaut)).isTrue();
        assertThat(out.add(11, 0100000, 7, records, 0, 1)).as("full").isFalse();

        Reply.Dirents reply = (Reply.Dirents) out.reply();
        byte[] bytes = new byte[reply.packed().remaining()];
        reply.packed().duplicate().get(bytes);
        assertThat(bytes).isEqualTo(packedByLibfuse(expected, capacity));
        assertThat(reply.items()).usingRecursiveFieldByFieldElementComparator().isEqualTo(expected);
    }
}
