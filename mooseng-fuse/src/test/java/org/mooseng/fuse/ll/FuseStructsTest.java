package org.mooseng.fuse.ll;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * The expected numbers were printed once by a C program compiled against the libfuse 3.14
 * headers on Debian 12 x86_64 (gcc -I/usr/include/fuse3 with FUSE_USE_VERSION 314, printing
 * sizeof and offsetof of each struct, and the int at offset 4 of a fuse_file_info with one
 * bit field set).
 */
class FuseStructsTest {
    @Test
    void sizesMatchTheCHeaders() {
        assertThat(FuseStructs.FUSE_ARGS.byteSize()).isEqualTo(24);
        assertThat(FuseStructs.LOWLEVEL_OPS.byteSize()).isEqualTo(352);
        assertThat(FuseStructs.ENTRY_PARAM.byteSize()).isEqualTo(176);
        assertThat(FuseStructs.STAT.byteSize()).isEqualTo(144);
        assertThat(FuseStructs.STATVFS.byteSize()).isEqualTo(112);
        assertThat(FuseStructs.FILE_INFO.byteSize()).isEqualTo(40);
        assertThat(FuseStructs.CTX.byteSize()).isEqualTo(16);
        assertThat(FuseStructs.CONN_INFO.byteSize()).isEqualTo(128);
        assertThat(FuseStructs.FLOCK.byteSize()).isEqualTo(32);
    }

    @Test
    void offsetsMatchTheCHeaders() {
        assertThat(FuseStructs.offset(FuseStructs.FUSE_ARGS, "argv")).isEqualTo(8);
        assertThat(FuseStructs.offset(FuseStructs.FUSE_ARGS, "allocated")).isEqualTo(16);
        assertThat(FuseStructs.offset(FuseStructs.LOWLEVEL_OPS, "lookup")).isEqualTo(16);
        assertThat(FuseStructs.offset(FuseStructs.LOWLEVEL_OPS, "statfs")).isEqualTo(192);
        assertThat(FuseStructs.offset(FuseStructs.LOWLEVEL_OPS, "create")).isEqualTo(240);
        assertThat(FuseStructs.offset(FuseStructs.LOWLEVEL_OPS, "setlk")).isEqualTo(256);
        assertThat(FuseStructs.offset(FuseStructs.LOWLEVEL_OPS, "readdirplus")).isEqualTo(328);
        assertThat(FuseStructs.offset(FuseStructs.LOWLEVEL_OPS, "lseek")).isEqualTo(344);
        assertThat(FuseStructs.ENTRY_GENERATION).isEqualTo(8);
        assertThat(FuseStructs.ENTRY_ATTR).isEqualTo(16);
        assertThat(FuseStructs.ENTRY_ATTR_TIMEOUT).isEqualTo(160);
        assertThat(FuseStructs.ENTRY_ENTRY_TIMEOUT).isEqualTo(168);
        assertThat(new long[] {FuseStructs.STAT_INO, FuseStructs.STAT_NLINK, FuseStructs.STAT_MODE,
                FuseStructs.STAT_UID, FuseStructs.STAT_GID, FuseStructs.STAT_RDEV, FuseStructs.STAT_SIZE,
                FuseStructs.STAT_BLKSIZE, FuseStructs.STAT_BLOCKS, FuseStructs.STAT_ATIM, FuseStructs.STAT_MTIM,
                FuseStructs.STAT_CTIM}).containsExactly(8, 16, 24, 28, 32, 40, 48, 56, 64, 72, 88, 104);
        assertThat(FuseStructs.offset(FuseStructs.STATVFS, "f_bavail")).isEqualTo(32);
        assertThat(FuseStructs.offset(FuseStructs.STATVFS, "f_fsid")).isEqualTo(64);
        assertThat(FuseStructs.offset(FuseStructs.STATVFS, "f_namemax")).isEqualTo(80);
        assertThat(FuseStructs.FILE_INFO_FH).isEqualTo(16);
        assertThat(FuseStructs.FILE_INFO_LOCK_OWNER).isEqualTo(24);
        assertThat(FuseStructs.offset(FuseStructs.FILE_INFO, "poll_events")).isEqualTo(32);
        assertThat(FuseStructs.CONN_MAX_WRITE).isEqualTo(8);
        assertThat(FuseStructs.CONN_MAX_READAHEAD).isEqualTo(16);
        assertThat(FuseStructs.CONN_CAPABLE).isEqualTo(20);
        assertThat(FuseStructs.CONN_WANT).isEqualTo(24);
        assertThat(FuseStructs.CONN_TIME_GRAN).isEqualTo(36);
        assertThat(FuseStructs.offset(FuseStructs.FLOCK, "l_start")).isEqualTo(8);
        assertThat(FuseStructs.offset(FuseStructs.FLOCK, "l_pid")).isEqualTo(24);
    }

    @Test
    void fileInfoBitFieldsMatchGcc() {
        // C: direct_io=1 -> 2, keep_cache -> 4, flush -> 8, nonseekable -> 16, cache_readdir -> 64, noflush -> 128.
        assertThat(new int[] {NativeStructs.FI_DIRECT_IO, NativeStructs.FI_KEEP_CACHE, NativeStructs.FI_FLUSH,
                NativeStructs.FI_NONSEEKABLE, NativeStructs.FI_CACHE_READDIR, NativeStructs.FI_NOFLUSH})
                .containsExactly(2, 4, 8, 16, 64, 128);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fi = arena.allocate(FuseStructs.FILE_INFO);
            fi.set(ValueLayout.JAVA_INT, 4, NativeStructs.FI_FLUSH);
            NativeStructs.writeOpen(fi, new Reply.Open(77, true, false));
            assertThat(fi.get(ValueLayout.JAVA_LONG, 16)).isEqualTo(77);
            assertThat(fi.get(ValueLayout.JAVA_INT, 4)).isEqualTo(NativeStructs.FI_FLUSH | NativeStructs.FI_DIRECT_IO);
        }
    }

    @Test
    void statKeepsSixtyFourBitSecondsAndNanoseconds() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment stat = arena.allocate(FuseStructs.STAT);
            NativeStructs.writeStat(stat, new FileAttributes(9, FileAttributes.S_IFREG | 0644, 1, 5, 6, 0, 100, 1,
                    7_263_493_567L, 123_456_789, 1, 2, 3, 4));
            AttributeChange read = NativeStructs.readAttributeChange(stat, AttributeChange.SET_ATIME);
            assertThat(read.atimeSeconds()).isEqualTo(7_263_493_567L);
            assertThat(read.atimeNanos()).isEqualTo(123_456_789);
            assertThat(read.mode()).isEqualTo(0100644);
            assertThat(read.sizeBytes()).isEqualTo(100);
        }
    }
}
