/* Special files: FIFOs, sockets and device nodes. */
#include "suite.h"

#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <sys/un.h>

CASE(special_fifo, "mkfifo/mknod S_IFIFO; O_WRONLY|O_NONBLOCK without reader is ENXIO; data flows once both ends are open")
{
    RC(mkfifo("p", 0640));
    show_lstat("p");
    RC(mknod("q", S_IFIFO | 0600, 0));
    show_lstat("q");
    RC(mkfifo("p", 0640));
    FD(open("p", O_WRONLY | O_NONBLOCK));
    int reader = FD(open("p", O_RDONLY | O_NONBLOCK));
    int writer = FD(open("p", O_WRONLY | O_NONBLOCK));
    RC(write(writer, "ping", 4));
    char buffer[16] = {0};
    RC(read(reader, buffer, sizeof buffer));
    show_bytes("read from fifo", (unsigned char *)buffer, 4);
    RC(read(reader, buffer, sizeof buffer));
    RC(lseek(reader, 0, SEEK_SET));
    RC(close(writer));
    RC(read(reader, buffer, sizeof buffer));
    RC(close(reader));
    show_lstat("p");
}

CASE(special_socket, "mknod S_IFSOCK and bind() of a unix socket create socket inodes; a second bind is EADDRINUSE")
{
    RC(mknod("s", S_IFSOCK | 0644, 0));
    show_lstat("s");
    int sock = FD(socket(AF_UNIX, SOCK_STREAM, 0));
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    strcpy(address.sun_path, "bound");
    RC(bind(sock, (struct sockaddr *)&address, sizeof address));
    struct stat st;
    RC(lstat("bound", &st));
    say("bound is a socket: %s", S_ISSOCK(st.st_mode) ? "yes" : "no");
    int second = FD(socket(AF_UNIX, SOCK_STREAM, 0));
    RC(bind(second, (struct sockaddr *)&address, sizeof address));
    RC(close(second));
    RC(close(sock));
    RC(unlink("bound"));
    RC(unlink("s"));
}

CASE(special_device_nodes, "root creates char/block device nodes with their rdev; an unprivileged user gets EPERM")
{
    RC(mknod("null-copy", S_IFCHR | 0666, makedev(1, 3)));
    show_lstat("null-copy");
    RC(mknod("loop-copy", S_IFBLK | 0600, makedev(7, 0)));
    show_lstat("loop-copy");
    RC(mknod("plain", S_IFREG | 0644, 0));
    show_lstat("plain");
    RC(mknod("null-copy", S_IFCHR | 0666, makedev(1, 3)));
    MUST(chmod(".", 0777));
    if (as_user(&USER_A)) {
        RC(mknod("user-dev", S_IFCHR | 0666, makedev(1, 3)));
        RC(mknod("user-fifo", S_IFIFO | 0644, 0));
        show_lstat("user-fifo");
        end_user();
    }
    MUST(chmod(".", 0755));
}
