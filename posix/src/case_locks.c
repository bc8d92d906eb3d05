/* flock and POSIX byte-range locks, with a forked child as the competing process. */
#include "suite.h"

#include <sys/file.h>
#include <sys/wait.h>

CASE(lock_flock, "flock: LOCK_EX blocks a second open's LOCK_EX|LOCK_NB with EWOULDBLOCK; shared locks coexist; close releases")
{
    write_file("f", "locked", 0644);
    int first = FD(open("f", O_RDWR));
    int second = FD(open("f", O_RDWR));
    RC(flock(first, LOCK_EX));
    say("EWOULDBLOCK is EAGAIN here: %s", EWOULDBLOCK == EAGAIN ? "yes" : "no");
    RC(flock(second, LOCK_EX | LOCK_NB));
    RC(flock(second, LOCK_SH | LOCK_NB));
    int duplicate = FD(dup(first));
    RC(flock(duplicate, LOCK_EX | LOCK_NB));
    RC(flock(first, LOCK_UN));
    RC(flock(second, LOCK_SH | LOCK_NB));
    RC(flock(first, LOCK_SH | LOCK_NB));
    RC(flock(first, LOCK_EX | LOCK_NB));
    RC(flock(second, LOCK_UN));
    RC(flock(first, LOCK_EX | LOCK_NB));
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        int own = FD(open("f", O_RDWR));
        RC(flock(own, LOCK_SH | LOCK_NB));
        fflush(stdout);
        _exit(0);
    }
    wait_child(child);
    RC(close(duplicate));
    RC(close(first));
    RC(flock(second, LOCK_EX | LOCK_NB));
    RC(close(second));
}

static void show_lock(const char *label, const struct flock *lock, pid_t holder)
{
    const char *type = lock->l_type == F_WRLCK ? "F_WRLCK" : lock->l_type == F_RDLCK ? "F_RDLCK"
                     : lock->l_type == F_UNLCK ? "F_UNLCK" : "?";
    if (lock->l_type == F_UNLCK) {
        say("%s: %s", label, type);
        return;
    }
    say("%s: %s start=%lld len=%lld pid is the holder: %s", label, type, (long long)lock->l_start,
        (long long)lock->l_len, lock->l_pid == holder ? "yes" : "no");
}

static int set_lock(int fd, short type, off_t start, off_t length)
{
    struct flock lock = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = length};
    return fcntl(fd, F_SETLK, &lock);
}

static struct flock get_lock(int fd, short type, off_t start, off_t length)
{
    struct flock lock = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = length};
    if (fcntl(fd, F_GETLK, &lock) != 0) {
        say("F_GETLK = -1 %s", errno_name(errno));
    }
    return lock;
}

/* One byte over a pipe: the parent and the child take turns, so output order is fixed. */
static void signal_peer(int fd)
{
    fflush(stdout);
    MUST(write(fd, "t", 1));
}

static void await_peer(int fd)
{
    char token;
    if (read(fd, &token, 1) != 1) {
        say("peer went away");
        fflush(stdout);
        _exit(4);
    }
}

CASE(lock_fcntl, "F_SETLK conflicts (EAGAIN|EACCES) between processes, F_GETLK reports holder, type and range; closing any fd drops locks")
{
    write_file("f", "0123456789012345678901234567890123456789", 0644);
    int to_child[2];
    int to_parent[2];
    MUST(pipe(to_child));
    MUST(pipe(to_parent));
    int fd = FD(open("f", O_RDWR));
    RC(set_lock(fd, F_WRLCK, 10, 20));
    pid_t parent = getpid();
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        int own = MUST(open("f", O_RDWR));
        say("-- child");
        LOCK_RC(set_lock(own, F_WRLCK, 20, 5));
        LOCK_RC(set_lock(own, F_RDLCK, 25, 1));
        LOCK_RC(set_lock(own, F_RDLCK, 0, 5));
        struct flock seen = get_lock(own, F_WRLCK, 0, 0);
        show_lock("child F_GETLK whole file", &seen, parent);
        seen = get_lock(own, F_RDLCK, 30, 10);
        show_lock("child F_GETLK 30..39", &seen, parent);
        signal_peer(to_parent[1]);
        await_peer(to_child[0]);
        say("-- child");
        LOCK_RC(set_lock(own, F_RDLCK, 15, 2));
        LOCK_RC(set_lock(own, F_WRLCK, 15, 2));
        seen = get_lock(own, F_WRLCK, 12, 1);
        show_lock("child F_GETLK 12 after parent downgraded", &seen, parent);
        signal_peer(to_parent[1]);
        await_peer(to_child[0]);
        say("-- child");
        LOCK_RC(set_lock(own, F_WRLCK, 10, 20));
        signal_peer(to_parent[1]);
        await_peer(to_child[0]);
        fflush(stdout);
        _exit(0);
    }
    await_peer(to_parent[0]);
    say("-- parent");
    struct flock seen = get_lock(fd, F_WRLCK, 0, 5);
    show_lock("parent F_GETLK 0..4 (child's read lock)", &seen, child);
    RC(set_lock(fd, F_RDLCK, 10, 20));
    signal_peer(to_child[1]);
    await_peer(to_parent[0]);
    say("-- parent");
    /* POSIX: closing any descriptor of the file releases all of this process's locks on it. */
    int other = FD(open("f", O_RDONLY));
    RC(close(other));
    signal_peer(to_child[1]);
    await_peer(to_parent[0]);
    say("-- parent");
    seen = get_lock(fd, F_RDLCK, 0, 0);
    show_lock("parent F_GETLK whole file (child's write lock)", &seen, child);
    LOCK_RC(set_lock(fd, F_RDLCK, 12, 1));
    signal_peer(to_child[1]);
    wait_child(child);
    RC(set_lock(fd, F_WRLCK, 0, 0));
    RC(set_lock(fd, F_UNLCK, 0, 0));
    RC(close(fd));
}
