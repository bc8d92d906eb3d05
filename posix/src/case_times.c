/* Timestamps: utimensat precision and range, UTIME_NOW/UTIME_OMIT, and which calls touch which time. */
#include "suite.h"

#include <sys/xattr.h>

static void set_times(const char *path, time_t access_s, long access_ns, time_t modify_s, long modify_ns)
{
    struct timespec times[2] = {{access_s, access_ns}, {modify_s, modify_ns}};
    MUST(utimensat(AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW));
}

static void show_exact(const char *label, struct timespec value)
{
    say("%s = %lld.%09ld", label, (long long)value.tv_sec, value.tv_nsec);
}

CASE(times_nanoseconds, "utimensat stores atime and mtime with nanoseconds; futimens too; EINVAL on a bad tv_nsec")
{
    write_file("f", "x", 0644);
    struct timespec times[2] = {{1000000000, 123456789}, {1200000000, 987654321}};
    RC(utimensat(AT_FDCWD, "f", times, 0));
    struct file_times got = times_of("f");
    show_exact("atime", got.access);
    show_exact("mtime", got.modify);
    int fd = FD(open("f", O_RDWR));
    struct timespec other[2] = {{1300000000, 1}, {1300000000, 999999999}};
    RC(futimens(fd, other));
    got = times_of_fd(fd);
    show_exact("atime after futimens", got.access);
    show_exact("mtime after futimens", got.modify);
    RC(close(fd));
    struct timespec invalid[2] = {{1, 1000000000}, {1, 0}};
    RC(utimensat(AT_FDCWD, "f", invalid, 0));
    struct timespec negative_ns[2] = {{1, -1}, {1, 0}};
    RC(utimensat(AT_FDCWD, "f", negative_ns, 0));
}

CASE(times_far_dates, "timestamps around 2038, 2106 and 2^33 s, zero and negative (before 1970) round-trip exactly")
{
    write_file("f", "x", 0644);
    static const struct timespec values[] = {
        {0, 0},
        {2147483647, 999999999},      /* last second of signed 32-bit time */
        {2147483648LL, 0},            /* 2038-01-19T03:14:08Z */
        {4294967295LL, 500000000},    /* last second of unsigned 32-bit time */
        {4294967296LL, 1},            /* 2106-02-07T06:28:16Z */
        {8589934592LL, 123456789},    /* 2^33 s: year 2242 */
        {-1, 0},
        {-1, 500000000},              /* half a second before the epoch */
        {-86400LL * 365, 250000000},  /* 1969-01-01 */
        {-2147483648LL, 0},           /* 1901-12-13 */
    };
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        struct timespec times[2] = {values[i], values[i]};
        errno = 0;
        int result = utimensat(AT_FDCWD, "f", times, 0);
        struct file_times got = times_of("f");
        say("set %lld.%09ld: utimensat = %d%s%s, atime %s, mtime %s", (long long)values[i].tv_sec,
            values[i].tv_nsec, result, result < 0 ? " " : "", result < 0 ? errno_name(errno) : "",
            timespec_compare(got.access, values[i]) == 0 ? "exact" : "differs",
            timespec_compare(got.modify, values[i]) == 0 ? "exact" : "differs");
    }
}

CASE(times_now_and_omit, "UTIME_NOW sets the current time, UTIME_OMIT keeps a value, NULL sets both; ctime follows")
{
    write_file("f", "x", 0644);
    set_times("f", 1000000000, 111, 1000000000, 222);
    struct file_times before = times_of("f");
    tick();
    struct timespec start = now_realtime();
    struct timespec omit_now[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
    RC(utimensat(AT_FDCWD, "f", omit_now, 0));
    struct timespec end = now_realtime();
    struct file_times after = times_of("f");
    compare_times("atime OMIT, mtime NOW", before, after);
    show_exact("atime", after.access);
    say("mtime near now: %s", near_now(after.modify, start, end) ? "yes" : "no");
    say("ctime near now: %s", near_now(after.change, start, end) ? "yes" : "no");
    before = after;
    tick();
    struct timespec both_omit[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
    RC(utimensat(AT_FDCWD, "f", both_omit, 0));
    compare_times("both OMIT", before, times_of("f"));
    set_times("f", 1000000000, 0, 1000000000, 0);
    before = times_of("f");
    tick();
    start = now_realtime();
    RC(utimensat(AT_FDCWD, "f", NULL, 0));
    end = now_realtime();
    after = times_of("f");
    compare_times("NULL times", before, after);
    say("atime and mtime near now: %s",
        near_now(after.access, start, end) && near_now(after.modify, start, end) ? "yes" : "no");
    MUST(symlink("f", "link"));
    struct file_times target_before = times_of("f");
    struct timespec link_times[2] = {{5000, 5}, {6000, 6}};
    RC(utimensat(AT_FDCWD, "link", link_times, AT_SYMLINK_NOFOLLOW));
    struct file_times link_after = times_of("link");
    show_exact("link atime", link_after.access);
    show_exact("link mtime", link_after.modify);
    compare_times("target of link", target_before, times_of("f"));
    RC(utimensat(AT_FDCWD, "missing", NULL, 0));
}

CASE(times_file_updates, "write, truncate, chmod, chown, link, unlink, rename, setxattr, read: which of a/m/ctime move")
{
    write_file("f", "0123456789", 0644);
    struct file_times before;

#define STEP(label, action)                         \
    do {                                            \
        set_times("f", 1000000000, 0, 1000000000, 0); \
        before = times_of("f");                     \
        tick();                                     \
        action;                                     \
        compare_times(label, before, times_of("f")); \
    } while (0)

    int fd = MUST(open("f", O_RDWR));
    STEP("write", RC(write(fd, "ab", 2)));
    STEP("pwrite", RC(pwrite(fd, "cd", 2, 20)));
    STEP("ftruncate shrink", RC(ftruncate(fd, 5)));
    STEP("ftruncate grow", RC(ftruncate(fd, 50)));
    STEP("truncate shrink", RC(truncate("f", 7)));
    STEP("open O_TRUNC", RC(close(MUST(open("f", O_WRONLY | O_TRUNC)))));
    STEP("fsync", RC(fsync(fd)));
    STEP("chmod", RC(chmod("f", 0600)));
    STEP("chown", RC(chown("f", 65534, 65534)));
    STEP("link", RC(link("f", "g")));
    STEP("unlink other name", RC(unlink("g")));
    STEP("rename", RC(rename("f", "renamed") == 0 ? rename("renamed", "f") : -1));
    STEP("setxattr", RC(setxattr("f", "user.k", "v", 1, 0)));
    STEP("utimensat mtime only", ({
        struct timespec t[2] = {{0, UTIME_OMIT}, {1500000000, 0}};
        RC(utimensat(AT_FDCWD, "f", t, 0));
    }));
    MUST(close(fd));
#undef STEP
}

CASE(times_directory_updates, "creating, removing, renaming and linking entries moves the parents' mtime and ctime")
{
    MUST(mkdir("d", 0755));
    MUST(mkdir("e", 0755));
    struct file_times d_before;
    struct file_times e_before;
    struct file_times moved_before;

#define DIR_STEP(label, moved, action)                   \
    do {                                                 \
        set_times("d", 1000000000, 0, 1000000000, 0);     \
        set_times("e", 1000000000, 0, 1000000000, 0);     \
        d_before = times_of("d");                        \
        e_before = times_of("e");                        \
        moved_before = times_of(moved);                  \
        tick();                                          \
        action;                                          \
        compare_times(label ": d", d_before, times_of("d")); \
        compare_times(label ": e", e_before, times_of("e")); \
    } while (0)

    DIR_STEP("create d/f", "d", RC(close(MUST(open("d/f", O_WRONLY | O_CREAT, 0644)))));
    DIR_STEP("mkdir d/sub", "d", RC(mkdir("d/sub", 0755)));
    DIR_STEP("write d/f", "d/f", ({
        int fd = MUST(open("d/f", O_WRONLY));
        RC(write(fd, "x", 1));
        MUST(close(fd));
    }));
    DIR_STEP("link d/f e/g", "d/f", RC(link("d/f", "e/g")));
    compare_times("link d/f e/g: the file", moved_before, times_of("d/f"));
    DIR_STEP("unlink e/g", "d/f", RC(unlink("e/g")));
    compare_times("unlink e/g: the file", moved_before, times_of("d/f"));
    DIR_STEP("rename d/f e/f", "d/f", RC(rename("d/f", "e/f")));
    compare_times("rename d/f e/f: the file", moved_before, times_of("e/f"));
    DIR_STEP("rename e/f e/f2 within e", "e/f", RC(rename("e/f", "e/f2")));
    DIR_STEP("rename dir d/sub e/sub", "d/sub", RC(rename("d/sub", "e/sub")));
    compare_times("rename dir d/sub e/sub: the moved dir", moved_before, times_of("e/sub"));
    DIR_STEP("rmdir e/sub", "e", RC(rmdir("e/sub")));
    DIR_STEP("mknod fifo d/p", "d", RC(mkfifo("d/p", 0644)));
    DIR_STEP("symlink d/s", "d", RC(symlink("x", "d/s")));
    DIR_STEP("chmod e/f2 (no dir change)", "e", RC(chmod("e/f2", 0600)));
#undef DIR_STEP
}
