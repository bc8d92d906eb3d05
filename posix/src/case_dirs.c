/* Directories: mkdir/rmdir errors, link counts, readdir, name and path length limits. */
#include "suite.h"

#include <dirent.h>
#include <limits.h>

CASE(dir_mkdir_rmdir, "mkdir modes and EEXIST/ENOENT/ENOTDIR; rmdir ENOTEMPTY/EINVAL(.)/ENOTDIR/ENOENT; unlink of a dir EISDIR")
{
    RC(mkdir("d", 0750));
    show_lstat("d");
    RC(mkdir("d", 0755));
    write_file("f", "f", 0644);
    RC(mkdir("f", 0755));
    RC(mkdir("missing/x", 0755));
    RC(mkdir("f/x", 0755));
    RC(mkdir("trailing/", 0755));
    show_lstat("trailing");
    RC(mkdir("d/sub", 0777));
    show_lstat("d/sub");
    RC(rmdir("d"));
    RC(rmdir("."));
    RC(rmdir("d/."));
    RC(rmdir("d/sub/.."));
    RC(rmdir("f"));
    RC(rmdir("missing"));
    RC(unlink("d"));
    RC(symlink("d", "link-to-d"));
    RC(rmdir("link-to-d"));
    RC(rmdir("d/sub"));
    RC(rmdir("d"));
    show_lstat("d");
    RC(rmdir("trailing/"));
    show_directory(".");
}

CASE(dir_link_counts, "a directory starts with nlink 2 and gains one per subdirectory, not per file")
{
    MUST(mkdir("d", 0755));
    show_lstat("d");
    MUST(mkdir("d/a", 0755));
    MUST(mkdir("d/b", 0755));
    MUST(mkdir("d/c", 0755));
    write_file("d/file", "", 0644);
    show_lstat("d");
    MUST(rmdir("d/b"));
    show_lstat("d");
    show_lstat("d/a");
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads a directory once and prints a summary that does not depend on entry order. */
static void summarize_directory(const char *label, DIR *directory)
{
    char **names = NULL;
    size_t count = 0;
    int type_mismatch = 0;
    struct dirent *entry;
    errno = 0;
    while ((entry = readdir(directory)) != NULL) {
        names = realloc(names, (count + 1) * sizeof *names);
        names[count++] = strdup(entry->d_name);
        if (entry->d_type != DT_UNKNOWN) {
            struct stat st;
            if (fstatat(dirfd(directory), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                IFTODT(st.st_mode) != entry->d_type) {
                type_mismatch++;
            }
        }
    }
    int read_error = errno;
    qsort(names, count, sizeof *names, compare_strings);
    size_t duplicates = 0;
    unsigned long long hash = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < count; i++) {
        if (i > 0 && strcmp(names[i - 1], names[i]) == 0) {
            duplicates++;
        }
        for (const char *c = names[i]; *c != '\0'; c++) {
            hash = (hash ^ (unsigned char)*c) * 0x100000001b3ULL;
        }
        hash = (hash ^ '/') * 0x100000001b3ULL;
    }
    say("%s: %zu entries, %zu duplicates, d_type mismatches %d, names fnv1a=%016llx, error %s", label,
        count, duplicates, type_mismatch, hash, read_error == 0 ? "none" : errno_name(read_error));
    for (size_t i = 0; i < count && i < 4; i++) {
        say("  %s", names[i]);
    }
    for (size_t i = 0; i < count; i++) {
        free(names[i]);
    }
    free(names);
}

CASE(dir_readdir, "readdir returns every entry once (1000 long names), . and .., after deletes and rewinddir")
{
    MUST(mkdir("d", 0755));
    char name[128];
    for (int i = 0; i < 1000; i++) {
        snprintf(name, sizeof name, "d/entry-with-a-fairly-long-name-to-fill-pages-%04d", i);
        if (i % 100 == 0) {
            MUST(mkdir(name, 0755));
        } else {
            write_file(name, "", 0644);
        }
    }
    MUST(symlink("x", "d/symlink"));
    DIR *directory = opendir("d");
    summarize_directory("d", directory);
    for (int i = 0; i < 1000; i += 2) {
        snprintf(name, sizeof name, "d/entry-with-a-fairly-long-name-to-fill-pages-%04d", i);
        if (i % 100 == 0) {
            MUST(rmdir(name));
        } else {
            MUST(unlink(name));
        }
    }
    rewinddir(directory);
    summarize_directory("d after deleting half, rewinddir", directory);
    closedir(directory);
    MUST(mkdir("empty", 0755));
    directory = opendir("empty");
    summarize_directory("empty", directory);
    closedir(directory);
}

CASE(dir_name_length, "names of 255 bytes work; 256 bytes and paths over PATH_MAX give ENAMETOOLONG; odd bytes in names")
{
    char longest[257];
    memset(longest, 'n', 255);
    longest[255] = '\0';
    char too_long[258];
    memset(too_long, 'n', 256);
    too_long[256] = '\0';
    int fd = FD(open(longest, O_WRONLY | O_CREAT, 0644));
    RC(close(fd));
    show_directory(".");
    RC(rename(longest, "short"));
    RC(rename("short", longest));
    FD(open(too_long, O_WRONLY | O_CREAT, 0644));
    RC(mkdir(too_long, 0755));
    RC(symlink("x", too_long));
    RC(rename(longest, too_long));
    RC(link(longest, too_long));
    struct stat st;
    RC(stat(too_long, &st));
    RC(unlink(longest));
    char long_path[PATH_MAX + 16];
    memset(long_path, 0, sizeof long_path);
    for (size_t used = 0; used + 2 < PATH_MAX + 8; used += 2) {
        memcpy(long_path + used, "./", 2);
    }
    RC(stat(long_path, &st));
    const char *odd = "sp ace\ttab\nnewline \xc3\xa9t\xc3\xa9 \xff-byte";
    write_file(odd, "odd", 0644);
    int odd_fd = FD(open(odd, O_RDONLY));
    show_fd_content("name with space, tab, newline, UTF-8 and 0xff", odd_fd);
    RC(close(odd_fd));
    RC(unlink(odd));
    show_directory(".");
}

CASE(dir_deep_path, "50 nested directories: create, open by the full path, chdir down and back, remove bottom-up")
{
    char path[4096] = "";
    size_t used = 0;
    for (int level = 0; level < 50; level++) {
        used += (size_t)snprintf(path + used, sizeof path - used, "%slevel%02d", level == 0 ? "" : "/", level);
        MUST(mkdir(path, 0755));
    }
    say("depth 50 path length %zu", used);
    char file[4200];
    snprintf(file, sizeof file, "%s/bottom", path);
    write_file(file, "deep", 0644);
    show_content(file);
    char start[PATH_MAX];
    MUST(getcwd(start, sizeof start) == NULL ? -1 : 0);
    RC(chdir(path));
    show_content("bottom");
    char here[PATH_MAX];
    if (getcwd(here, sizeof here) != NULL) {
        say("getcwd ends with the nested path: %s",
            strlen(here) >= used && strcmp(here + strlen(here) - used, path) == 0 ? "yes" : "no");
    }
    for (int level = 0; level < 50; level++) {
        MUST(chdir(".."));
    }
    say("back at start: %s", getcwd(here, sizeof here) != NULL && strcmp(here, start) == 0 ? "yes" : "no");
    RC(unlink(file));
    for (int level = 49; level >= 0; level--) {
        if (rmdir(path) != 0) {
            say("rmdir level %d = -1 %s", level, errno_name(errno));
        }
        char *slash = strrchr(path, '/');
        if (slash != NULL) {
            *slash = '\0';
        }
    }
    show_directory(".");
}
