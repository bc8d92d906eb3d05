/*
 * atime on read, as Linux keeps it on a file system mounted relatime (the default): a read
 * or a directory listing moves atime to now when atime is not after mtime or ctime (or is a
 * day old, which a case cannot arrange: setting an old atime moves ctime to now).
 */
#include "suite.h"

#include <dirent.h>

static void set_times(const char *path, time_t access_s, time_t modify_s)
{
    struct timespec times[2] = {{access_s, 0}, {modify_s, 0}};
    MUST(utimensat(AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW));
}

static const char *relation(struct timespec before, struct timespec after)
{
    int order = timespec_compare(before, after);
    return order == 0 ? "unchanged" : order < 0 ? "advanced" : "went back";
}

/* atime and mtime only: whether a read moves ctime is a question of its own (atime_read_keeps_ctime). */
static void compare_atime_mtime(const char *label, struct file_times before, struct file_times after)
{
    say("%s: atime %s, mtime %s", label, relation(before.access, after.access),
        relation(before.modify, after.modify));
}

static void read_some(int fd)
{
    char buffer[64];
    RC(read(fd, buffer, sizeof buffer));
}

/* Lists the directory to its end, as ls does; prints the entry count (. and .. included). */
static void list_directory(const char *path)
{
    DIR *directory = opendir(path);
    if (directory == NULL) {
        say("opendir %s = %s", path, errno_name(errno));
        return;
    }
    int count = 0;
    while (readdir(directory) != NULL) {
        count++;
    }
    closedir(directory);
    say("listed %s: %d entries", path, count);
}

CASE(atime_read_file, "a read moves an atime older than mtime, or than ctime, to now at once (fstat and stat); more reads on the fd do not; mtime stays")
{
    write_file("f", "content", 0644);
    set_times("f", 1000000000, 1000000100);
    struct file_times before = times_of("f");
    tick();
    int fd = FD(open("f", O_RDONLY));
    struct file_times opened = times_of_fd(fd);
    compare_atime_mtime("open without a read", before, opened);
    struct timespec start = now_realtime();
    read_some(fd);
    struct timespec end = now_realtime();
    struct file_times first = times_of_fd(fd);
    compare_atime_mtime("first read, fstat right after", before, first);
    say("atime near now: %s", near_now(first.access, start, end) ? "yes" : "no");
    compare_atime_mtime("stat by path after the fstat", first, times_of("f"));
    tick();
    RC(lseek(fd, 0, SEEK_SET));
    read_some(fd);
    read_some(fd);
    compare_atime_mtime("two more reads on the fd", first, times_of_fd(fd));
    RC(close(fd));

    /* atime after mtime but not after ctime (utimensat moved ctime to now): due again. */
    set_times("f", 1000000200, 1000000100);
    before = times_of("f");
    tick();
    fd = FD(open("f", O_RDONLY));
    read_some(fd);
    compare_atime_mtime("read of atime newer than mtime, older than ctime", before, times_of_fd(fd));
    RC(close(fd));
}

CASE(atime_read_directory, "listing a directory moves an atime older than its mtime; opendir alone does not; mtime stays")
{
    MUST(mkdir("d", 0755));
    write_file("d/a", "a", 0644);
    write_file("d/b", "b", 0644);
    set_times("d", 1000000000, 1000000100);
    struct file_times before = times_of("d");
    tick();
    DIR *unread = opendir("d");
    say("opendir d: %s", unread != NULL ? "ok" : errno_name(errno));
    compare_atime_mtime("opendir without readdir", before, times_of("d"));
    if (unread != NULL) {
        closedir(unread);
    }
    struct file_times entry_before = times_of("d/a");
    list_directory("d");
    compare_atime_mtime("listing", before, times_of("d"));
    compare_atime_mtime("an entry of the listed directory", entry_before, times_of("d/a"));
}

CASE(atime_read_relatime_again, "relatime: once a read has moved atime past mtime and ctime, a new open and read or a new listing leave it; a read never moves ctime")
{
    write_file("f", "content", 0644);
    set_times("f", 1000000000, 1000000100);
    struct file_times before = times_of("f");
    tick();
    int fd = FD(open("f", O_RDONLY));
    read_some(fd);
    RC(close(fd));
    struct file_times first = times_of("f");
    compare_times("first read", before, first);
    tick();
    fd = FD(open("f", O_RDONLY));
    read_some(fd);
    RC(close(fd));
    compare_times("open and read again", first, times_of("f"));

    MUST(mkdir("d", 0755));
    write_file("d/a", "a", 0644);
    set_times("d", 1000000000, 1000000100);
    before = times_of("d");
    tick();
    list_directory("d");
    first = times_of("d");
    compare_times("first listing", before, first);
    tick();
    list_directory("d");
    compare_times("listing again", first, times_of("d"));
}
