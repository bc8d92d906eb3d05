/*
 * Executing files from the file system: ETXTBSY between a running program and writers.
 * The program is a copy of /bin/sleep in the case directory. Every child asks for SIGKILL
 * when the case process dies (PR_SET_PDEATHSIG), so a case that aborts or times out leaves
 * no program running on the file system under test.
 */
#include "suite.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

static void copy_file(const char *from, const char *to, mode_t mode)
{
    int in = MUST(open(from, O_RDONLY));
    int out = MUST(open(to, O_WRONLY | O_CREAT | O_TRUNC, mode));
    char buffer[1 << 16];
    ssize_t got;
    while ((got = read(in, buffer, sizeof buffer)) > 0) {
        for (ssize_t written = 0; written < got;) {
            written += MUST(write(out, buffer + written, (size_t)(got - written)));
        }
    }
    MUST(got);
    MUST(fchmod(out, mode));
    MUST(close(out));
    MUST(close(in));
}

/*
 * Runs "PATH SECONDS" in a child and reports whether execve succeeded: the child's copy of
 * a close-on-exec pipe closes on success, or carries execve's errno on failure. Returns the
 * running child's pid, or -1 (the failed child already reaped).
 */
static pid_t start_program(const char *path, const char *seconds)
{
    int status_pipe[2];
    MUST(pipe2(status_pipe, O_CLOEXEC));
    pid_t parent = getpid();
    fflush(stdout);
    pid_t child = MUST(fork());
    if (child == 0) {
        close(status_pipe[0]);
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) {
            _exit(126);
        }
        char *const argv[] = {(char *)path, (char *)seconds, NULL};
        execv(path, argv);
        int error = errno;
        ssize_t ignored = write(status_pipe[1], &error, sizeof error);
        (void)ignored;
        _exit(127);
    }
    close(status_pipe[1]);
    int error = 0;
    ssize_t got;
    while ((got = read(status_pipe[0], &error, sizeof error)) < 0 && errno == EINTR) {
    }
    close(status_pipe[0]);
    if (got == (ssize_t)sizeof error) {
        while (waitpid(child, NULL, 0) < 0 && errno == EINTR) {
        }
        say("execve %s %s = -1 %s", path, seconds, errno_name(error));
        return -1;
    }
    say("execve %s %s = running", path, seconds);
    return child;
}

static void kill_program(pid_t child)
{
    if (child > 0) {
        kill(child, SIGKILL);
        int status;
        while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
        }
        say("program killed and reaped");
    }
}

static void wait_program(pid_t child)
{
    if (child > 0) {
        int status;
        while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
        }
        say("program ended: %s %d", WIFEXITED(status) ? "exit" : "signal",
            WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    }
}

CASE(exec_text_busy, "a running program cannot be opened for writing or truncated (ETXTBSY) but can be read; a file open for writing cannot be executed (ETXTBSY)")
{
    copy_file("/bin/sleep", "prog", 0755);
    show_lstat("prog");
    struct stat original;
    MUST(stat("prog", &original));

    pid_t running = start_program("./prog", "30");
    FD(open("prog", O_WRONLY));
    FD(open("prog", O_RDWR));
    FD(open("prog", O_WRONLY | O_TRUNC));
    RC(truncate("prog", 0));
    int reader = FD(open("prog", O_RDONLY));
    char first[4];
    RC(read(reader, first, sizeof first));
    RC(close(reader));
    struct stat during;
    MUST(stat("prog", &during));
    say("size while running unchanged: %s", during.st_size == original.st_size ? "yes" : "no");
    kill_program(running);

    int writer = FD(open("prog", O_WRONLY));
    running = start_program("./prog", "0");
    kill_program(running);
    RC(close(writer));

    running = start_program("./prog", "0");
    wait_program(running);
    RC(truncate("prog", 0));
    show_lstat("prog");
}
