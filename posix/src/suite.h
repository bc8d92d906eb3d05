/*
 * MooseNG POSIX conformance suite: shared harness.
 *
 * A case is a function that drives system calls in its current directory (a fresh
 * directory made for it) and prints only what a program may rely on: return values,
 * errno names, types, modes, link counts, sizes, contents and relations between times.
 * The runner executes each case once on a reference file system and once on the target
 * and compares the two transcripts byte for byte, so nothing printed may depend on the
 * file system's identity (inode or device numbers, block counts, wall-clock values).
 */
#ifndef MOOSENG_POSIX_SUITE_H
#define MOOSENG_POSIX_SUITE_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

typedef void (*case_body)(void);

struct suite_case {
    const char *name;
    const char *summary;
    case_body run;
    struct suite_case *next;
};

void suite_register(struct suite_case *entry);

/* CASE(name, "what it checks") { body } defines and registers one case. */
#define CASE(id, summary_text)                                                       \
    static void case_##id(void);                                                     \
    static struct suite_case case_entry_##id = {#id, summary_text, case_##id, NULL}; \
    __attribute__((constructor)) static void case_register_##id(void)                \
    {                                                                                \
        suite_register(&case_entry_##id);                                            \
    }                                                                                \
    static void case_##id(void)

/* ---- transcript output ---- */

void say(const char *format, ...) __attribute__((format(printf, 1, 2)));
const char *errno_name(int error);

/* Prints "expr = value" or "expr = -1 ENAME" and returns the result. */
long report_result(const char *expression, long result, int error);
/* Same, but a non-negative result is printed as "fd": descriptor numbers are not compared. */
long report_descriptor(const char *expression, long result, int error);
/* Prints "expr = -1 conflict" when errno is EAGAIN or EACCES (POSIX allows either). */
long report_lock_conflict(const char *expression, long result, int error);

#define RC(expr) ({ errno = 0; long rc_result_ = (long)(expr); report_result(#expr, rc_result_, errno); })
#define FD(expr) ({ errno = 0; long fd_result_ = (long)(expr); (int)report_descriptor(#expr, fd_result_, errno); })
#define LOCK_RC(expr) ({ errno = 0; long lk_result_ = (long)(expr); report_lock_conflict(#expr, lk_result_, errno); })

/* Runs without printing; a failure here means the case could not set itself up. */
void must(const char *expression, long result);
#define MUST(expr) ({ errno = 0; long must_result_ = (long)(expr); must(#expr, must_result_); must_result_; })

/* ---- file inspection ---- */

/* "label: reg 0644 nlink=1 size=5 uid=0 gid=0" (no size for directories, whose size is fs-specific). */
void show_stat(const char *label, const struct stat *st);
void show_lstat(const char *path);   /* lstat and show, or the errno */
void show_fstat(const char *label, int fd);
/* Prints a file's bytes: escaped text when short, otherwise length and FNV-1a hash. */
void show_bytes(const char *label, const unsigned char *bytes, size_t length);
void show_content(const char *path);
void show_fd_content(const char *label, int fd);   /* via pread from 0 to EOF */
void write_file(const char *path, const char *text, mode_t mode);
int same_inode(const char *path_a, const char *path_b);
/* Sorted user-visible names of a directory (without . and ..), one per line. */
void show_directory(const char *path);

/* ---- timestamps ---- */

struct file_times {
    struct timespec access, modify, change;
};

struct file_times times_of(const char *path);   /* lstat, so symlinks are not followed */
struct file_times times_of_fd(int fd);
/* "label: atime unchanged, mtime advanced, ctime advanced" */
void compare_times(const char *label, struct file_times before, struct file_times after);
/* Lets the clock move past every timestamp taken so far, so a change shows as "advanced". */
void tick(void);
int timespec_compare(struct timespec a, struct timespec b);
/* True when the value lies within a few seconds of [before, after]; times are set by the fs. */
int near_now(struct timespec value, struct timespec before, struct timespec after);
struct timespec now_realtime(void);

/* ---- identities for permission cases ---- */

struct identity {
    const char *name;
    uid_t uid;
    gid_t gid;
    int group_count;
    gid_t groups[4];
};

#define GID_SHARED ((gid_t)60003)
extern const struct identity USER_A;          /* 65534:65534 (nobody) */
extern const struct identity USER_B;          /* 60002:60002, no supplementary groups */
extern const struct identity USER_B_SHARED;   /* 60002:60002 + supplementary GID_SHARED */

/*
 * Forks; in the child switches to the identity and returns 1, in the parent waits for the
 * child and returns 0. Use as: if (as_user(&USER_A)) { ...; end_user(); }
 */
int as_user(const struct identity *who);
void end_user(void) __attribute__((noreturn));
/* Waits for a child started with fork() and prints how it ended if not with status 0. */
void wait_child(pid_t child);

#endif
