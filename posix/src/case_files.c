/* Regular files: open flags, reads and writes at offsets, holes, truncation, sync, EBADF. */
#include "suite.h"

CASE(file_open_excl, "O_CREAT|O_EXCL creates once, then EEXIST (also through symlinks); ENOENT/ENOTDIR on bad paths")
{
    int fd = FD(open("f", O_WRONLY | O_CREAT | O_EXCL, 0640));
    RC(close(fd));
    show_lstat("f");
    FD(open("f", O_WRONLY | O_CREAT | O_EXCL, 0640));
    MUST(symlink("f", "link-to-f"));
    MUST(symlink("missing", "dangling"));
    FD(open("link-to-f", O_WRONLY | O_CREAT | O_EXCL, 0640));
    FD(open("dangling", O_WRONLY | O_CREAT | O_EXCL, 0640));
    show_lstat("missing");
    FD(open("missing", O_RDONLY));
    FD(open("no-such-dir/f", O_WRONLY | O_CREAT, 0644));
    FD(open("f/child", O_WRONLY | O_CREAT, 0644));
    FD(open("f/", O_RDONLY));
}

CASE(file_open_creat_existing, "O_CREAT on an existing file keeps content and mode; umask applies only on creation")
{
    write_file("f", "hello", 0600);
    int fd = FD(open("f", O_RDWR | O_CREAT, 0777));
    show_fstat("f", fd);
    show_fd_content("f", fd);
    RC(close(fd));
    umask(077);
    fd = FD(open("g", O_WRONLY | O_CREAT, 0666));
    RC(close(fd));
    umask(022);
    show_lstat("g");
    fd = FD(open("h", O_WRONLY | O_CREAT, 0666));
    RC(close(fd));
    show_lstat("h");
}

CASE(file_open_trunc, "O_TRUNC empties an existing file; later writes start at 0")
{
    write_file("f", "hello world", 0644);
    int fd = FD(open("f", O_WRONLY | O_TRUNC));
    show_fstat("f after O_TRUNC", fd);
    RC(write(fd, "abc", 3));
    RC(close(fd));
    show_content("f");
    fd = FD(open("new", O_WRONLY | O_CREAT | O_TRUNC, 0644));
    RC(close(fd));
    show_lstat("new");
}

CASE(file_open_append, "O_APPEND writes land at EOF whatever the offset, across two descriptors")
{
    write_file("f", "hello", 0644);
    int fd = FD(open("f", O_WRONLY | O_APPEND));
    RC(lseek(fd, 0, SEEK_SET));
    RC(write(fd, "XY", 2));
    RC(lseek(fd, 0, SEEK_CUR));
    show_content("f");
    /* Linux appends on pwrite to an O_APPEND descriptor and ignores the offset. */
    RC(pwrite(fd, "Z", 1, 0));
    show_content("f");
    int other = FD(open("f", O_WRONLY | O_APPEND));
    RC(write(fd, "1", 1));
    RC(write(other, "2", 1));
    RC(write(fd, "3", 1));
    RC(close(other));
    RC(close(fd));
    show_content("f");
    show_lstat("f");
}

CASE(file_read_write_offsets, "read/write/lseek at offsets, overwrite in the middle, read at EOF, negative seek")
{
    int fd = FD(open("f", O_RDWR | O_CREAT, 0644));
    RC(write(fd, "0123456789", 10));
    RC(lseek(fd, 5, SEEK_SET));
    char buffer[32] = {0};
    RC(read(fd, buffer, 3));
    show_bytes("read 3 at 5", (unsigned char *)buffer, 3);
    RC(lseek(fd, -2, SEEK_CUR));
    RC(lseek(fd, 0, SEEK_END));
    RC(read(fd, buffer, sizeof buffer));
    RC(lseek(fd, 2, SEEK_SET));
    RC(write(fd, "ab", 2));
    show_fd_content("after overwrite", fd);
    RC(lseek(fd, -1, SEEK_SET));
    RC(lseek(fd, 20, SEEK_SET));
    RC(write(fd, "end", 3));
    show_fstat("f", fd);
    show_fd_content("after write past EOF", fd);
    RC(lseek(fd, 0, SEEK_SET));
    RC(read(fd, buffer, sizeof buffer));
    RC(read(fd, buffer, sizeof buffer));
    RC(close(fd));
}

CASE(file_pread_pwrite, "pread/pwrite use their offset and leave the file offset alone")
{
    int fd = FD(open("f", O_RDWR | O_CREAT, 0644));
    RC(write(fd, "abcdefgh", 8));
    RC(lseek(fd, 3, SEEK_SET));
    RC(pwrite(fd, "XYZ", 3, 5));
    RC(pwrite(fd, "!", 1, 12));
    RC(lseek(fd, 0, SEEK_CUR));
    char buffer[32] = {0};
    RC(pread(fd, buffer, 4, 4));
    show_bytes("pread 4 at 4", (unsigned char *)buffer, 4);
    RC(lseek(fd, 0, SEEK_CUR));
    RC(pread(fd, buffer, sizeof buffer, 100));
    RC(pread(fd, buffer, 4, -1));
    RC(pwrite(fd, "x", 1, -1));
    show_fd_content("f", fd);
    RC(close(fd));
}

static void show_zero_run(const char *label, int fd, off_t offset, size_t length)
{
    unsigned char *buffer = malloc(length);
    ssize_t got = pread(fd, buffer, length, offset);
    size_t zeros = 0;
    for (ssize_t i = 0; i < got; i++) {
        zeros += buffer[i] == 0;
    }
    say("%s: read %zd, all zero: %s", label, got, got >= 0 && zeros == (size_t)got ? "yes" : "no");
    free(buffer);
}

CASE(file_sparse, "a write past EOF leaves a hole that reads as zeros; SEEK_DATA/SEEK_HOLE stay within bounds")
{
    const off_t data_at = 1 << 20;
    int fd = FD(open("f", O_RDWR | O_CREAT, 0644));
    RC(pwrite(fd, "data", 4, data_at));
    show_fstat("f", fd);
    show_zero_run("hole start", fd, 0, 4096);
    show_zero_run("hole middle", fd, data_at / 2 - 100, 8192);
    show_zero_run("hole end", fd, data_at - 4096, 4096);
    char buffer[8] = {0};
    RC(pread(fd, buffer, sizeof buffer, data_at - 2));
    show_bytes("around data", (unsigned char *)buffer, 6);
    show_fd_content("f", fd);
    /*
     * A file system may report a hole as data (the generic implementation does), so only
     * bounds are compared: data is found no later than it was written, the hole search
     * from the data ends at EOF, and both fail with ENXIO at EOF.
     */
    const off_t size = data_at + 4;
    errno = 0;
    off_t data = lseek(fd, 0, SEEK_DATA);
    say("SEEK_DATA from 0 within [0, %lld]: %s", (long long)data_at,
        data >= 0 && data <= data_at ? "yes" : errno_name(errno));
    errno = 0;
    off_t hole = lseek(fd, 0, SEEK_HOLE);
    say("SEEK_HOLE from 0 within [0, size]: %s", hole >= 0 && hole <= size ? "yes" : errno_name(errno));
    errno = 0;
    hole = lseek(fd, data_at, SEEK_HOLE);
    say("SEEK_HOLE from data = size: %s", hole == size ? "yes" : errno_name(errno));
    RC(lseek(fd, size, SEEK_DATA));
    RC(lseek(fd, size, SEEK_HOLE));
    RC(close(fd));
}

CASE(file_chunk_boundary, "1 MiB written across the 64 MiB chunk boundary reads back intact; the hole before is zero")
{
    const off_t boundary = 64LL << 20;
    const size_t length = 1 << 20;
    unsigned char *pattern = malloc(length);
    for (size_t i = 0; i < length; i++) {
        pattern[i] = (unsigned char)(i * 31 + (i >> 13));
    }
    int fd = FD(open("f", O_RDWR | O_CREAT, 0644));
    RC(pwrite(fd, pattern, length, boundary - (off_t)length / 2));
    show_fstat("f", fd);
    unsigned char *back = calloc(1, length);
    RC(pread(fd, back, length, boundary - (off_t)length / 2));
    say("read back equals written: %s", memcmp(back, pattern, length) == 0 ? "yes" : "no");
    RC(pread(fd, back, 4096, boundary - 4096));
    RC(pread(fd, back + 4096, 4096, boundary));
    say("4 KiB either side of the boundary match: %s",
        memcmp(back, pattern + length / 2 - 4096, 8192) == 0 ? "yes" : "no");
    show_zero_run("hole before", fd, boundary - (off_t)length / 2 - 65536, 65536);
    RC(close(fd));
    free(pattern);
    free(back);
}

CASE(file_truncate, "truncate/ftruncate shrink and grow; old bytes never reappear; EINVAL/EISDIR errors")
{
    char pattern[101];
    for (int i = 0; i < 100; i++) {
        pattern[i] = (char)('a' + i % 26);
    }
    pattern[100] = '\0';
    write_file("f", pattern, 0644);
    RC(truncate("f", 10));
    show_content("f");
    int fd = FD(open("f", O_RDWR));
    RC(ftruncate(fd, 5000));
    show_fstat("f", fd);
    show_fd_content("after grow", fd);
    show_zero_run("grown part", fd, 10, 4990);
    RC(ftruncate(fd, 2));
    RC(ftruncate(fd, 6));
    show_fd_content("shrink to 2 then grow to 6", fd);
    RC(ftruncate(fd, 0));
    show_fstat("f", fd);
    RC(ftruncate(fd, -1));
    RC(close(fd));
    RC(truncate("f", -1));
    MUST(mkdir("d", 0755));
    RC(truncate("d", 0));
    RC(truncate("missing", 0));
    fd = FD(open("f", O_RDONLY));
    RC(ftruncate(fd, 0));
    RC(close(fd));
}

CASE(file_sync, "fsync/fdatasync/syncfs return 0 on files (read-only or not) and directories")
{
    int fd = FD(open("f", O_RDWR | O_CREAT, 0644));
    RC(write(fd, "data", 4));
    RC(fsync(fd));
    RC(fdatasync(fd));
    RC(syncfs(fd));
    RC(close(fd));
    fd = FD(open("f", O_RDONLY));
    RC(fsync(fd));
    RC(fdatasync(fd));
    RC(close(fd));
    fd = FD(open(".", O_RDONLY | O_DIRECTORY));
    RC(fsync(fd));
    RC(close(fd));
    RC(fsync(fd));
    show_content("f");
}

CASE(file_bad_descriptor, "EBADF for write on O_RDONLY, read on O_WRONLY, closed fd; EISDIR/ENOTDIR on open")
{
    write_file("f", "content", 0644);
    int fd = FD(open("f", O_RDONLY));
    RC(write(fd, "x", 1));
    RC(pwrite(fd, "x", 1, 0));
    RC(close(fd));
    RC(write(fd, "x", 1));
    RC(close(fd));
    fd = FD(open("f", O_WRONLY));
    char buffer[8];
    RC(read(fd, buffer, sizeof buffer));
    RC(close(fd));
    MUST(mkdir("d", 0755));
    FD(open("d", O_WRONLY));
    FD(open("d", O_RDWR));
    fd = FD(open("d", O_RDONLY));
    RC(read(fd, buffer, sizeof buffer));
    RC(close(fd));
    FD(open("f", O_RDONLY | O_DIRECTORY));
    show_content("f");
}
