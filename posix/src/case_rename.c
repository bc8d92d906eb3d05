/* rename and renameat2: atomic replacement, directory rules, flags. */
#include "suite.h"

#include <stdio.h>

CASE(rename_replace_file, "rename onto an existing file replaces it atomically; an open fd keeps the old file")
{
    write_file("a", "new content", 0644);
    write_file("b", "old content", 0600);
    int old = FD(open("b", O_RDONLY));
    RC(rename("a", "b"));
    show_lstat("a");
    show_lstat("b");
    show_content("b");
    show_fstat("replaced file", old);
    show_fd_content("replaced file", old);
    RC(close(old));
    show_directory(".");
}

CASE(rename_replace_empty_dir, "rename of a directory onto an empty directory replaces it")
{
    MUST(mkdir("d1", 0755));
    write_file("d1/x", "x", 0644);
    MUST(mkdir("d2", 0700));
    RC(rename("d1", "d2"));
    show_lstat("d1");
    show_lstat("d2");
    show_content("d2/x");
    show_lstat(".");
}

CASE(rename_errors, "ENOTEMPTY, EISDIR, ENOTDIR, EINVAL (own subtree), ENOENT; rename onto itself is a no-op")
{
    MUST(mkdir("d1", 0755));
    MUST(mkdir("d1/sub", 0755));
    MUST(mkdir("d2", 0755));
    write_file("d2/x", "x", 0644);
    write_file("f", "f", 0644);
    RC(rename("d1", "d2"));
    RC(rename("f", "d1"));
    RC(rename("d1", "f"));
    RC(rename("d1", "d1/sub/inner"));
    RC(rename("d1", "d1/sub"));
    RC(rename("missing", "g"));
    RC(rename("f", "missing-dir/g"));
    RC(rename("f", "f/g"));
    RC(rename("f", "f"));
    RC(rename("d1", "d1"));
    RC(rename("d1/.", "e"));
    RC(rename("d1", "d2/."));
    show_directory(".");
    show_directory("d1");
    show_directory("d2");
}

CASE(rename_across_dirs, "rename between directories moves files and directories; parent link counts and .. follow")
{
    MUST(mkdir("d1", 0755));
    MUST(mkdir("d2", 0755));
    write_file("d1/f", "moved", 0644);
    MUST(mkdir("d1/sub", 0755));
    write_file("d1/sub/inner", "inner", 0644);
    show_lstat("d1");
    show_lstat("d2");
    RC(rename("d1/f", "d2/g"));
    RC(rename("d1/sub", "d2/sub"));
    show_lstat("d1");
    show_lstat("d2");
    show_content("d2/g");
    show_content("d2/sub/inner");
    say("d2/sub/.. is d2: %s", same_inode("d2/sub/..", "d2") ? "yes" : "no");
    show_directory("d1");
    show_directory("d2");
}

CASE(rename_hard_links, "rename between two links of the same inode succeeds and leaves both names")
{
    write_file("a", "same", 0644);
    MUST(link("a", "b"));
    RC(rename("a", "b"));
    show_lstat("a");
    show_lstat("b");
}

CASE(rename_noreplace, "renameat2 RENAME_NOREPLACE: EEXIST onto an existing name, succeeds onto a free one")
{
    write_file("a", "a", 0644);
    write_file("b", "b", 0644);
    RC(renameat2(AT_FDCWD, "a", AT_FDCWD, "b", RENAME_NOREPLACE));
    show_content("a");
    show_content("b");
    RC(renameat2(AT_FDCWD, "a", AT_FDCWD, "c", RENAME_NOREPLACE));
    show_directory(".");
    RC(renameat2(AT_FDCWD, "b", AT_FDCWD, "c", RENAME_NOREPLACE | RENAME_EXCHANGE));
}

CASE(rename_exchange, "renameat2 RENAME_EXCHANGE swaps two files, or a file and a directory; ENOENT if one is missing")
{
    write_file("a", "content of a", 0644);
    write_file("b", "content of b", 0600);
    RC(renameat2(AT_FDCWD, "a", AT_FDCWD, "b", RENAME_EXCHANGE));
    show_content("a");
    show_content("b");
    show_lstat("a");
    show_lstat("b");
    MUST(mkdir("d", 0755));
    write_file("d/inside", "inside", 0644);
    MUST(mkdir("other", 0755));
    RC(renameat2(AT_FDCWD, "a", AT_FDCWD, "other/../d", RENAME_EXCHANGE));
    show_lstat("a");
    show_lstat("d");
    show_content("a/inside");
    RC(renameat2(AT_FDCWD, "b", AT_FDCWD, "missing", RENAME_EXCHANGE));
    MUST(mkdir("x", 0755));
    write_file("x/file", "in x", 0644);
    RC(renameat2(AT_FDCWD, "b", AT_FDCWD, "x/file", RENAME_EXCHANGE));
    show_content("b");
    show_content("x/file");
}
