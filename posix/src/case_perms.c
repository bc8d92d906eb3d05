/*
 * Permission checks, run in forked children that switched to unprivileged users so the
 * kernel and the file system really refuse: owner/group/other classes, supplementary
 * groups, directory bits, chmod/chown/utimensat rules, sticky directories, set-id bits.
 */
#include "suite.h"

#include <sys/xattr.h>

static void make_owned(const char *path, const char *text, uid_t uid, gid_t gid, mode_t mode)
{
    write_file(path, text, 0600);
    MUST(chown(path, uid, gid));
    MUST(chmod(path, mode));
}

static void try_read_write(const char *path)
{
    char label[256];
    int fd = open(path, O_RDONLY);
    snprintf(label, sizeof label, "open %s O_RDONLY", path);
    report_descriptor(label, fd, errno);
    if (fd >= 0) {
        close(fd);
    }
    fd = open(path, O_WRONLY);
    snprintf(label, sizeof label, "open %s O_WRONLY", path);
    report_descriptor(label, fd, errno);
    if (fd >= 0) {
        close(fd);
    }
}

CASE(perm_file_classes, "owner, group (primary and supplementary) and other classes; the owner class wins even when it grants less")
{
    MUST(chmod(".", 0755));
    make_owned("owner-only", "o", USER_A.uid, USER_A.gid, 0600);
    make_owned("group-only", "g", 0, GID_SHARED, 0060);
    make_owned("other-only", "t", 0, 0, 0006);
    make_owned("owner-denied", "d", USER_A.uid, USER_A.gid, 0066);
    make_owned("group-denied", "d", 0, GID_SHARED, 0606);
    make_owned("primary-group", "p", 0, USER_B.gid, 0040);
    static const char *files[] = {"owner-only", "group-only", "other-only", "owner-denied", "group-denied", "primary-group"};
    const struct identity *users[] = {&USER_A, &USER_B, &USER_B_SHARED};
    for (size_t u = 0; u < 3; u++) {
        if (as_user(users[u])) {
            for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
                try_read_write(files[f]);
            }
            RC(access("owner-only", R_OK | W_OK));
            RC(access("group-only", R_OK));
            end_user();
        }
    }
    make_owned("script", "#!/bin/sh\n", USER_A.uid, USER_A.gid, 0744);
    if (as_user(&USER_B)) {
        RC(access("script", X_OK));
        RC(access("script", R_OK));
        end_user();
    }
    if (as_user(&USER_A)) {
        RC(access("script", X_OK));
        end_user();
    }
    RC(access("owner-denied", R_OK | W_OK));
}

CASE(perm_directories, "directory w/x/r bits: EACCES to create without w, to look up without x, to list without r")
{
    MUST(chmod(".", 0755));
    MUST(mkdir("no-write", 0555));
    MUST(mkdir("no-search", 0700));
    write_file("no-search/f", "hidden", 0644);
    MUST(chmod("no-search", 0666));
    MUST(mkdir("no-read", 0755));
    write_file("no-read/f", "visible", 0644);
    MUST(chmod("no-read", 0711));
    MUST(mkdir("open", 0755));
    MUST(chmod("open", 0777));
    if (as_user(&USER_A)) {
        FD(open("no-write/f", O_WRONLY | O_CREAT, 0644));
        RC(mkdir("no-write/d", 0755));
        struct stat st;
        RC(stat("no-search/f", &st));
        FD(open("no-search/f", O_RDONLY));
        show_directory("no-search");
        show_directory("no-read");
        show_content("no-read/f");
        RC(chdir("no-search"));
        int fd = FD(open("open/mine", O_WRONLY | O_CREAT, 0644));
        RC(close(fd));
        show_lstat("open/mine");
        end_user();
    }
    int fd = FD(open("no-write/by-root", O_WRONLY | O_CREAT, 0644));
    RC(close(fd));
    show_content("no-search/f");
}

CASE(perm_chmod_chown_utimes, "only the owner chmods; chown needs root except to a group the owner is in; utimes rules for non-owners")
{
    MUST(chmod(".", 0755));
    make_owned("a-file", "a", USER_A.uid, USER_A.gid, 0644);
    make_owned("b-file", "b", USER_B.uid, USER_B.gid, 0644);
    make_owned("a-writable", "w", USER_A.uid, USER_A.gid, 0666);
    make_owned("a-foreign-group", "f", USER_A.uid, GID_SHARED, 0755);
    if (as_user(&USER_A)) {
        RC(chmod("a-file", 0640));
        RC(chmod("b-file", 0777));
        RC(chown("a-file", USER_B.uid, -1));
        RC(chown("a-file", -1, GID_SHARED));
        RC(chown("a-file", USER_A.uid, USER_A.gid));
        /* Setting the set-group-id bit for a group one is not in clears it silently. */
        RC(chmod("a-file", 02755));
        show_lstat("a-file");
        RC(chmod("a-foreign-group", 02755));
        show_lstat("a-foreign-group");
        end_user();
    }
    if (as_user(&USER_B_SHARED)) {
        RC(chown("b-file", -1, GID_SHARED));
        show_lstat("b-file");
        RC(chown("b-file", -1, 0));
        RC(utimensat(AT_FDCWD, "a-writable", NULL, 0));
        struct timespec now_both[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
        RC(utimensat(AT_FDCWD, "a-writable", now_both, 0));
        struct timespec explicit_times[2] = {{1000, 0}, {1000, 0}};
        RC(utimensat(AT_FDCWD, "a-writable", explicit_times, 0));
        RC(utimensat(AT_FDCWD, "a-file", NULL, 0));
        RC(truncate("a-file", 0));
        RC(truncate("a-writable", 1));
        end_user();
    }
    show_lstat("a-file");
    show_content("a-writable");
    RC(chown("a-file", USER_B.uid, GID_SHARED));
    show_lstat("a-file");
}

CASE(perm_sticky_directory, "in a sticky directory only the file owner, the directory owner or root may unlink or rename")
{
    MUST(chmod(".", 0755));
    MUST(mkdir("tmp", 0755));
    MUST(chmod("tmp", 01777));
    show_lstat("tmp");
    if (as_user(&USER_A)) {
        write_file("tmp/a-file", "a", 0666);
        write_file("tmp/a-second", "a2", 0644);
        end_user();
    }
    if (as_user(&USER_B)) {
        write_file("tmp/b-file", "b", 0644);
        RC(unlink("tmp/a-file"));
        RC(rename("tmp/a-file", "tmp/stolen"));
        RC(rename("tmp/b-file", "tmp/a-file"));
        RC(rename("tmp/b-file", "tmp/b-renamed"));
        end_user();
    }
    if (as_user(&USER_A)) {
        RC(unlink("tmp/a-file"));
        end_user();
    }
    RC(unlink("tmp/a-second"));
    MUST(mkdir("owned-by-b", 0755));
    MUST(chown("owned-by-b", USER_B.uid, USER_B.gid));
    MUST(chmod("owned-by-b", 01777));
    if (as_user(&USER_A)) {
        write_file("owned-by-b/a-file", "a", 0644);
        end_user();
    }
    if (as_user(&USER_B)) {
        RC(unlink("owned-by-b/a-file"));
        end_user();
    }
    show_directory("tmp");
    show_directory("owned-by-b");
}

CASE(perm_setid_clearing, "set-user-id/set-group-id bits are cleared by writes and truncates of unprivileged users and by chown")
{
    MUST(chmod(".", 0755));
    make_owned("both", "data", USER_A.uid, GID_SHARED, 06777);
    make_owned("sgid-no-gx", "data", USER_A.uid, GID_SHARED, 02666);
    make_owned("own-suid", "data", USER_A.uid, USER_A.gid, 04766);
    make_owned("truncated", "data", USER_A.uid, GID_SHARED, 06777);
    make_owned("root-writes", "data", USER_A.uid, GID_SHARED, 06777);
    show_lstat("both");
    show_lstat("sgid-no-gx");
    show_lstat("own-suid");
    show_lstat("truncated");
    if (as_user(&USER_B)) {
        int fd = FD(open("both", O_WRONLY));
        RC(write(fd, "x", 1));
        RC(close(fd));
        fd = FD(open("sgid-no-gx", O_WRONLY));
        RC(write(fd, "x", 1));
        RC(close(fd));
        RC(truncate("truncated", 1));
        end_user();
    }
    show_lstat("both");
    show_lstat("sgid-no-gx");
    show_lstat("truncated");
    if (as_user(&USER_A)) {
        int fd = FD(open("own-suid", O_WRONLY));
        RC(write(fd, "x", 1));
        RC(close(fd));
        end_user();
    }
    show_lstat("own-suid");
    int fd = FD(open("root-writes", O_WRONLY));
    RC(write(fd, "x", 1));
    RC(close(fd));
    show_lstat("root-writes");
    make_owned("chowned", "data", USER_A.uid, GID_SHARED, 06755);
    show_lstat("chowned");
    RC(chown("chowned", USER_B.uid, USER_B.gid));
    show_lstat("chowned");
    make_owned("chowned-same", "data", USER_A.uid, GID_SHARED, 06755);
    RC(chown("chowned-same", -1, -1));
    show_lstat("chowned-same");
    MUST(mkdir("dir", 0755));
    MUST(chmod("dir", 06755));
    RC(chown("dir", USER_B.uid, USER_B.gid));
    show_lstat("dir");
}

CASE(perm_setgid_directory, "files and directories created in a set-group-id directory take its group; subdirectories inherit the bit")
{
    MUST(chmod(".", 0755));
    MUST(mkdir("sg", 0755));
    MUST(chown("sg", 0, GID_SHARED));
    MUST(chmod("sg", 02777));
    write_file("sg/by-root", "", 0644);
    show_lstat("sg/by-root");
    RC(mkdir("sg/sub", 0755));
    show_lstat("sg/sub");
    if (as_user(&USER_A)) {
        write_file("sg/by-a", "", 0644);
        show_lstat("sg/by-a");
        RC(mkdir("sg/a-sub", 0755));
        show_lstat("sg/a-sub");
        end_user();
    }
    MUST(mkdir("plain", 0755));
    MUST(chmod("plain", 0777));
    if (as_user(&USER_A)) {
        write_file("plain/by-a", "", 0644);
        show_lstat("plain/by-a");
        end_user();
    }
}

CASE(perm_xattr, "user.* extended attributes need write permission to change and read permission to read")
{
    MUST(chmod(".", 0755));
    make_owned("readable", "r", 0, 0, 0644);
    MUST(setxattr("readable", "user.k", "v", 1, 0));
    make_owned("writable", "w", 0, 0, 0666);
    make_owned("secret", "s", 0, 0, 0600);
    MUST(setxattr("secret", "user.k", "v", 1, 0));
    if (as_user(&USER_A)) {
        char value[16];
        RC(getxattr("readable", "user.k", value, sizeof value));
        RC(setxattr("readable", "user.k", "x", 1, 0));
        RC(setxattr("writable", "user.k", "x", 1, 0));
        RC(getxattr("secret", "user.k", value, sizeof value));
        RC(removexattr("readable", "user.k"));
        RC(setxattr("writable", "trusted.k", "x", 1, 0));
        end_user();
    }
}

CASE(perm_root_chmod_chown, "root sets every mode bit with chmod/fchmod and any owner with chown/fchown/lchown; -1 keeps a field")
{
    write_file("f", "data", 0644);
    RC(chmod("f", 07777));
    show_lstat("f");
    RC(chmod("f", 0));
    show_lstat("f");
    show_content("f");
    int fd = FD(open("f", O_RDONLY));
    RC(fchmod(fd, 01640));
    RC(fchown(fd, USER_A.uid, GID_SHARED));
    show_fstat("f", fd);
    RC(close(fd));
    RC(chown("f", -1, USER_B.gid));
    show_lstat("f");
    RC(chown("f", USER_B.uid, -1));
    show_lstat("f");
    MUST(mkdir("d", 0755));
    RC(chmod("d", 07777));
    RC(chown("d", USER_A.uid, USER_A.gid));
    show_lstat("d");
    MUST(symlink("f", "link"));
    RC(lchown("link", USER_A.uid, USER_A.gid));
    show_lstat("link");
    show_lstat("f");
    RC(chmod("missing", 0644));
    RC(chown("missing", 0, 0));
}
