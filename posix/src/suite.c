/* Harness of the POSIX suite: case registry, transcript helpers and the entry point. */
#include "suite.h"

#include <dirent.h>
#include <grp.h>
#include <stdarg.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

static struct suite_case *registered_cases;

void suite_register(struct suite_case *entry)
{
    /* Keep the list sorted by name so --list and a full run have a stable order. */
    struct suite_case **slot = &registered_cases;
    while (*slot != NULL && strcmp((*slot)->name, entry->name) < 0) {
        slot = &(*slot)->next;
    }
    entry->next = *slot;
    *slot = entry;
}

void say(const char *format, ...)
{
    va_list arguments;
    va_start(arguments, format);
    vprintf(format, arguments);
    va_end(arguments);
    putchar('\n');
}

const char *errno_name(int error)
{
    static char unknown[32];
    const char *name = strerrorname_np(error);
    if (name != NULL) {
        return name;
    }
    snprintf(unknown, sizeof unknown, "errno%d", error);
    return unknown;
}

long report_result(const char *expression, long result, int error)
{
    if (result < 0) {
        say("%s = %ld %s", expression, result, errno_name(error));
    } else {
        say("%s = %ld", expression, result);
    }
    return result;
}

long report_descriptor(const char *expression, long result, int error)
{
    if (result < 0) {
        say("%s = %ld %s", expression, result, errno_name(error));
    } else {
        say("%s = fd", expression);
    }
    return result;
}

long report_lock_conflict(const char *expression, long result, int error)
{
    if (result < 0 && (error == EAGAIN || error == EACCES)) {
        say("%s = %ld conflict(EAGAIN|EACCES)", expression, result);
        return result;
    }
    return report_result(expression, result, error);
}

void must(const char *expression, long result)
{
    if (result < 0) {
        say("SETUP FAILED: %s: %s", expression, errno_name(errno));
        fflush(stdout);
        _exit(3);
    }
}

static const char *type_name(mode_t mode)
{
    switch (mode & S_IFMT) {
    case S_IFREG: return "reg";
    case S_IFDIR: return "dir";
    case S_IFLNK: return "lnk";
    case S_IFIFO: return "fifo";
    case S_IFSOCK: return "sock";
    case S_IFCHR: return "chr";
    case S_IFBLK: return "blk";
    default: return "unknown-type";
    }
}

void show_stat(const char *label, const struct stat *st)
{
    char size[64];
    if (S_ISDIR(st->st_mode)) {
        snprintf(size, sizeof size, "-");
    } else {
        snprintf(size, sizeof size, "%lld", (long long)st->st_size);
    }
    char device[64] = "";
    if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode)) {
        snprintf(device, sizeof device, " rdev=%u:%u", major(st->st_rdev), minor(st->st_rdev));
    }
    say("%s: %s %04o nlink=%lu size=%s uid=%u gid=%u%s", label, type_name(st->st_mode),
        (unsigned)(st->st_mode & 07777), (unsigned long)st->st_nlink, size,
        (unsigned)st->st_uid, (unsigned)st->st_gid, device);
}

void show_lstat(const char *path)
{
    struct stat st;
    char label[4200];
    snprintf(label, sizeof label, "lstat %s", path);
    if (lstat(path, &st) != 0) {
        say("%s = -1 %s", label, errno_name(errno));
        return;
    }
    show_stat(label, &st);
}

void show_fstat(const char *label, int fd)
{
    struct stat st;
    if (fstat(fd, &st) != 0) {
        say("fstat %s = -1 %s", label, errno_name(errno));
        return;
    }
    char full_label[256];
    snprintf(full_label, sizeof full_label, "fstat %s", label);
    show_stat(full_label, &st);
}

static unsigned long long fnv1a(const unsigned char *bytes, size_t length)
{
    unsigned long long hash = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < length; i++) {
        hash ^= bytes[i];
        hash *= 0x100000001b3ULL;
    }
    return hash;
}

void show_bytes(const char *label, const unsigned char *bytes, size_t length)
{
    if (length > 64) {
        size_t zeros = 0;
        for (size_t i = 0; i < length; i++) {
            zeros += bytes[i] == 0;
        }
        say("%s: %zu bytes, %zu zero, fnv1a=%016llx", label, length, zeros, fnv1a(bytes, length));
        return;
    }
    char text[64 * 4 + 1];
    size_t used = 0;
    for (size_t i = 0; i < length; i++) {
        unsigned char c = bytes[i];
        if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"') {
            text[used++] = (char)c;
        } else {
            used += (size_t)sprintf(text + used, "\\x%02x", c);
        }
    }
    text[used] = '\0';
    say("%s: %zu bytes \"%s\"", label, length, text);
}

static unsigned char *read_all(int fd, size_t *length_out)
{
    size_t capacity = 1 << 16;
    size_t length = 0;
    unsigned char *buffer = malloc(capacity);
    for (;;) {
        if (length == capacity) {
            capacity *= 2;
            buffer = realloc(buffer, capacity);
        }
        ssize_t got = pread(fd, buffer + length, capacity - length, (off_t)length);
        if (got < 0) {
            free(buffer);
            return NULL;
        }
        if (got == 0) {
            break;
        }
        length += (size_t)got;
    }
    *length_out = length;
    return buffer;
}

void show_fd_content(const char *label, int fd)
{
    size_t length;
    unsigned char *bytes = read_all(fd, &length);
    if (bytes == NULL) {
        say("%s: read = -1 %s", label, errno_name(errno));
        return;
    }
    show_bytes(label, bytes, length);
    free(bytes);
}

void show_content(const char *path)
{
    char label[4200];
    snprintf(label, sizeof label, "content %s", path);
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        say("%s: open = -1 %s", label, errno_name(errno));
        return;
    }
    show_fd_content(label, fd);
    close(fd);
}

void write_file(const char *path, const char *text, mode_t mode)
{
    int fd = MUST(open(path, O_WRONLY | O_CREAT | O_TRUNC, mode));
    size_t length = strlen(text);
    if (length > 0) {
        MUST(write(fd, text, length));
    }
    MUST(fchmod(fd, mode));
    MUST(close(fd));
}

int same_inode(const char *path_a, const char *path_b)
{
    struct stat a;
    struct stat b;
    if (lstat(path_a, &a) != 0 || lstat(path_b, &b) != 0) {
        return 0;
    }
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void show_directory(const char *path)
{
    DIR *directory = opendir(path);
    if (directory == NULL) {
        say("opendir %s = %s", path, errno_name(errno));
        return;
    }
    char **names = NULL;
    size_t count = 0;
    struct dirent *entry;
    while ((entry = readdir(directory)) != NULL) {
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0) {
            continue;
        }
        names = realloc(names, (count + 1) * sizeof *names);
        names[count++] = strdup(entry->d_name);
    }
    closedir(directory);
    qsort(names, count, sizeof *names, compare_names);
    say("entries of %s: %zu", path, count);
    for (size_t i = 0; i < count; i++) {
        say("  %s", names[i]);
        free(names[i]);
    }
    free(names);
}

/* ---- timestamps ---- */

struct file_times times_of(const char *path)
{
    struct stat st;
    struct file_times times = {0};
    if (lstat(path, &st) != 0) {
        say("times of %s: lstat = -1 %s", path, errno_name(errno));
        return times;
    }
    times.access = st.st_atim;
    times.modify = st.st_mtim;
    times.change = st.st_ctim;
    return times;
}

struct file_times times_of_fd(int fd)
{
    struct stat st;
    struct file_times times = {0};
    if (fstat(fd, &st) != 0) {
        say("times of fd: fstat = -1 %s", errno_name(errno));
        return times;
    }
    times.access = st.st_atim;
    times.modify = st.st_mtim;
    times.change = st.st_ctim;
    return times;
}

int timespec_compare(struct timespec a, struct timespec b)
{
    if (a.tv_sec != b.tv_sec) {
        return a.tv_sec < b.tv_sec ? -1 : 1;
    }
    if (a.tv_nsec != b.tv_nsec) {
        return a.tv_nsec < b.tv_nsec ? -1 : 1;
    }
    return 0;
}

static const char *relation(struct timespec before, struct timespec after)
{
    int order = timespec_compare(before, after);
    return order == 0 ? "unchanged" : order < 0 ? "advanced" : "went back";
}

void compare_times(const char *label, struct file_times before, struct file_times after)
{
    say("%s: atime %s, mtime %s, ctime %s", label, relation(before.access, after.access),
        relation(before.modify, after.modify), relation(before.change, after.change));
}

struct timespec now_realtime(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return now;
}

/*
 * File systems stamp changes from a coarse clock (one kernel tick, at most 10 ms here) or,
 * for a network file system, from a server clock with millisecond resolution. Sleeping
 * 30 ms keeps "advanced" meaningful without making the suite slow.
 */
void tick(void)
{
    struct timespec pause = {0, 30 * 1000 * 1000};
    while (nanosleep(&pause, &pause) != 0 && errno == EINTR) {
    }
}

int near_now(struct timespec value, struct timespec before, struct timespec after)
{
    /* Two seconds of slack: the file system may stamp from its own (server) clock. */
    return value.tv_sec >= before.tv_sec - 2 && value.tv_sec <= after.tv_sec + 2;
}

/* ---- identities ---- */

const struct identity USER_A = {"user A (65534:65534)", 65534, 65534, 0, {0}};
const struct identity USER_B = {"user B (60002:60002)", 60002, 60002, 0, {0}};
const struct identity USER_B_SHARED = {"user B (60002:60002, groups 60003)", 60002, 60002, 1, {GID_SHARED}};

int as_user(const struct identity *who)
{
    fflush(stdout);
    pid_t child = fork();
    if (child < 0) {
        must("fork()", -1);
    }
    if (child == 0) {
        if (setgroups((size_t)who->group_count, who->groups) != 0 || setgid(who->gid) != 0 ||
            setuid(who->uid) != 0) {
            say("SETUP FAILED: cannot become %s: %s", who->name, errno_name(errno));
            fflush(stdout);
            _exit(3);
        }
        say("-- as %s", who->name);
        return 1;
    }
    wait_child(child);
    say("-- as root");
    return 0;
}

void end_user(void)
{
    fflush(stdout);
    _exit(0);
}

void wait_child(pid_t child)
{
    int status;
    while (waitpid(child, &status, 0) < 0) {
        if (errno != EINTR) {
            say("waitpid = -1 %s", errno_name(errno));
            return;
        }
    }
    if (WIFSIGNALED(status)) {
        say("child killed by signal %d", WTERMSIG(status));
    } else if (WEXITSTATUS(status) != 0) {
        say("child exited with status %d", WEXITSTATUS(status));
    }
}

/* ---- entry point ---- */

static int usage(void)
{
    fprintf(stderr, "usage: posix-suite --list | posix-suite run CASE DIR\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (struct suite_case *c = registered_cases; c != NULL; c = c->next) {
            printf("%-28s %s\n", c->name, c->summary);
        }
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "--names") == 0) {
        for (struct suite_case *c = registered_cases; c != NULL; c = c->next) {
            printf("%s\n", c->name);
        }
        return 0;
    }
    if (argc != 4 || strcmp(argv[1], "run") != 0) {
        return usage();
    }
    struct suite_case *selected = registered_cases;
    while (selected != NULL && strcmp(selected->name, argv[2]) != 0) {
        selected = selected->next;
    }
    if (selected == NULL) {
        fprintf(stderr, "posix-suite: unknown case %s\n", argv[2]);
        return 2;
    }
    if (geteuid() != 0) {
        fprintf(stderr, "posix-suite: must run as root (permission cases switch users)\n");
        return 2;
    }
    if (chdir(argv[3]) != 0) {
        fprintf(stderr, "posix-suite: cannot enter %s: %s\n", argv[3], strerror(errno));
        return 2;
    }
    /* Fixed creation mask and buffering: transcripts must not depend on the caller. */
    umask(022);
    setvbuf(stdout, NULL, _IOLBF, 0);
    say("case %s", selected->name);
    selected->run();
    say("end of case");
    return 0;
}
