/* Extended attributes in the user.* namespace (the one every Linux file system offers). */
#include "suite.h"

#include <sys/xattr.h>

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Lists only user.* names, sorted: a file system may add security.* or system.* names of
 * its own (SELinux labels, ACLs) and returns names in any order.
 */
static void show_user_names(const char *path)
{
    char list[4096];
    errno = 0;
    ssize_t probe = listxattr(path, NULL, 0);
    ssize_t length = listxattr(path, list, sizeof list);
    if (length < 0) {
        say("listxattr %s = -1 %s", path, errno_name(errno));
        return;
    }
    say("listxattr size probe equals listed length: %s", probe == length ? "yes" : "no");
    char *names[64];
    size_t count = 0;
    for (char *name = list; name < list + length && count < 64; name += strlen(name) + 1) {
        if (strncmp(name, "user.", 5) == 0) {
            names[count++] = name;
        }
    }
    qsort(names, count, sizeof names[0], compare_names);
    say("user.* names of %s: %zu", path, count);
    for (size_t i = 0; i < count; i++) {
        say("  %s", names[i]);
    }
}

static void show_value(const char *path, const char *name)
{
    char value[8192];
    errno = 0;
    ssize_t length = getxattr(path, name, value, sizeof value);
    if (length < 0) {
        say("getxattr %s %s = -1 %s", path, name, errno_name(errno));
        return;
    }
    char label[256];
    snprintf(label, sizeof label, "getxattr %s %s", path, name);
    show_bytes(label, (unsigned char *)value, (size_t)length);
}

CASE(xattr_basic, "set/get/list/remove, size probe, ERANGE, XATTR_CREATE/XATTR_REPLACE errors, ENODATA, empty and 4000-byte values")
{
    write_file("f", "data", 0644);
    RC(setxattr("f", "user.color", "blue", 4, 0));
    RC(getxattr("f", "user.color", NULL, 0));
    show_value("f", "user.color");
    char small[2];
    RC(getxattr("f", "user.color", small, sizeof small));
    RC(setxattr("f", "user.color", "red", 3, XATTR_CREATE));
    RC(setxattr("f", "user.shape", "round", 5, XATTR_REPLACE));
    RC(setxattr("f", "user.color", "green", 5, XATTR_REPLACE));
    show_value("f", "user.color");
    RC(setxattr("f", "user.shape", "round", 5, XATTR_CREATE));
    RC(setxattr("f", "user.empty", "", 0, 0));
    RC(getxattr("f", "user.empty", NULL, 0));
    char big[4000];
    for (size_t i = 0; i < sizeof big; i++) {
        big[i] = (char)(i * 7);
    }
    RC(setxattr("f", "user.big", big, sizeof big, 0));
    show_value("f", "user.big");
    show_user_names("f");
    RC(removexattr("f", "user.shape"));
    RC(removexattr("f", "user.shape"));
    show_value("f", "user.shape");
    show_value("f", "user.missing");
    show_user_names("f");
    int fd = FD(open("f", O_RDONLY));
    RC(fsetxattr(fd, "user.by-fd", "1", 1, 0));
    char value[16];
    RC(fgetxattr(fd, "user.by-fd", value, sizeof value));
    RC(fremovexattr(fd, "user.by-fd"));
    RC(close(fd));
    MUST(mkdir("d", 0755));
    RC(setxattr("d", "user.on-dir", "yes", 3, 0));
    show_value("d", "user.on-dir");
    RC(symlink("f", "link"));
    RC(lsetxattr("link", "user.on-link", "no", 2, 0));
    show_value("link", "user.color");
    RC(lgetxattr("link", "user.color", value, sizeof value));
    RC(setxattr("f", "nonamespace", "v", 1, 0));
    char long_name[300];
    memcpy(long_name, "user.", 5);
    memset(long_name + 5, 'x', 260);
    long_name[265] = '\0';
    RC(setxattr("f", long_name, "v", 1, 0));
    RC(setxattr("f", "user.bad-flags", "v", 1, 0x100));
    RC(getxattr("missing", "user.color", value, sizeof value));
    show_content("f");
}
