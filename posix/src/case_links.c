/* Hard links, unlink of open files, symbolic links and loops. */
#include "suite.h"

CASE(link_counts, "link raises nlink and shares content; unlink lowers it; EEXIST/ENOENT/EPERM(dir)")
{
    write_file("f", "shared", 0644);
    RC(link("f", "g"));
    show_lstat("f");
    show_lstat("g");
    int fd = FD(open("g", O_WRONLY | O_APPEND));
    RC(write(fd, "+g", 2));
    RC(close(fd));
    show_content("f");
    RC(link("f", "g"));
    RC(link("missing", "h"));
    MUST(mkdir("d", 0755));
    RC(link("d", "d2"));
    RC(link("f", "d/f"));
    show_lstat("d/f");
    RC(unlink("f"));
    show_lstat("g");
    RC(unlink("f"));
    RC(unlink("d/f"));
    show_lstat("g");
}

CASE(link_unlink_open_file, "an unlinked open file stays readable and writable through its fd, with fstat nlink 0")
{
    int fd = FD(open("f", O_RDWR | O_CREAT, 0644));
    RC(write(fd, "before", 6));
    int reader = FD(open("f", O_RDONLY));
    RC(unlink("f"));
    show_lstat("f");
    show_fstat("unlinked", fd);
    RC(write(fd, "+after", 6));
    show_fd_content("through writer", fd);
    show_fd_content("through reader", reader);
    RC(ftruncate(fd, 3));
    show_fstat("unlinked", reader);
    RC(fsync(fd));
    RC(close(fd));
    show_fd_content("reader after writer closed", reader);
    RC(close(reader));
    show_directory(".");
}

CASE(symlink_basic, "symlink/readlink, lstat vs stat, dangling links, O_CREAT through a dangling link, EINVAL/EEXIST/ENOENT")
{
    RC(symlink("target-file", "s"));
    show_lstat("s");
    char buffer[64] = {0};
    RC(readlink("s", buffer, sizeof buffer));
    say("readlink s: \"%s\"", buffer);
    memset(buffer, 0, sizeof buffer);
    RC(readlink("s", buffer, 6));
    say("readlink s into 6 bytes: \"%s\"", buffer);
    struct stat st;
    RC(stat("s", &st));
    int fd = FD(open("s", O_WRONLY | O_CREAT, 0640));
    RC(write(fd, "via link", 8));
    RC(close(fd));
    show_lstat("target-file");
    show_content("s");
    RC(readlink("target-file", buffer, sizeof buffer));
    RC(symlink("elsewhere", "s"));
    RC(symlink("elsewhere", "target-file"));
    RC(symlink("", "empty"));
    MUST(mkdir("d", 0755));
    write_file("d/inner", "inner", 0644);
    RC(symlink("inner", "d/relative"));
    show_content("d/relative");
    RC(symlink("d", "to-dir"));
    RC(stat("to-dir", &st));
    say("stat to-dir is a directory: %s", S_ISDIR(st.st_mode) ? "yes" : "no");
    show_content("to-dir/inner");
    RC(rmdir("to-dir"));
    RC(unlink("to-dir/"));
    RC(unlink("to-dir"));
    show_lstat("d");
    RC(lchown("s", 65534, 65534));
    show_lstat("s");
    show_lstat("target-file");
}

CASE(symlink_loop_nofollow, "ELOOP on loops and on long chains, O_NOFOLLOW on the last component only, O_PATH on a link")
{
    RC(symlink("b", "a"));
    RC(symlink("a", "b"));
    RC(symlink("self", "self"));
    struct stat st;
    FD(open("a", O_RDONLY));
    RC(stat("a", &st));
    RC(stat("self", &st));
    show_lstat("a");
    RC(mkdir("a/child", 0755));
    write_file("file", "file", 0644);
    RC(symlink("file", "link"));
    FD(open("link", O_RDONLY | O_NOFOLLOW));
    int fd = FD(open("file", O_RDONLY | O_NOFOLLOW));
    RC(close(fd));
    MUST(mkdir("d", 0755));
    write_file("d/f", "in d", 0644);
    RC(symlink("d", "dlink"));
    fd = FD(open("dlink/f", O_RDONLY | O_NOFOLLOW));
    RC(close(fd));
    fd = FD(open("link", O_PATH | O_NOFOLLOW));
    if (fd >= 0) {
        RC(fstatat(fd, "", &st, AT_EMPTY_PATH));
        say("O_PATH|O_NOFOLLOW fd is a symlink: %s", S_ISLNK(st.st_mode) ? "yes" : "no");
        RC(close(fd));
    }
    /* Linux follows at most 40 links while resolving one path. */
    char name[32];
    char next[32];
    for (int i = 1; i <= 41; i++) {
        snprintf(name, sizeof name, "chain%02d", i);
        if (i == 41) {
            snprintf(next, sizeof next, "file");
        } else {
            snprintf(next, sizeof next, "chain%02d", i + 1);
        }
        MUST(symlink(next, name));
    }
    RC(stat("chain02", &st));
    RC(stat("chain01", &st));
}
