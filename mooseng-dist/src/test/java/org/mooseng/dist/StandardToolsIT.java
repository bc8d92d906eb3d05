package org.mooseng.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mooseng.dist.Shell.q;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Everyday tools on the FUSE mount, each compared with the same tool's result on a local
 * directory: cp -a (symlinks, modes, owners, nanosecond times), tar x, rsync -a twice, dd +
 * sha256sum, ln and mv, and a git repository that commits and passes git fsck.
 */
class StandardToolsIT {
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);

    /**
     * One line per entry, sorted: path, type, mode, owner, group, mtime with nanoseconds and
     * symlink target; the size for regular files only (directory sizes differ legitimately).
     */
    private static final String LISTING = "find . -mindepth 1 \\( -type f -printf '%P %y %m %U %G %T@ %s\\n' \\)"
            + " -o -printf '%P %y %m %U %G %T@ %l\\n' | LC_ALL=C sort";

    @TempDir
    static Path dir;
    static LocalClusterProcesses cluster;
    static Path mnt;
    static Path tree;
    static Shell shell;

    @BeforeAll
    static void upMountsTheClusterAndMakesALocalTree() throws Exception {
        shell = new Shell(dir, TOOL_TIMEOUT);
        cluster = LocalClusterProcesses.upMounted(dir, 3);
        mnt = cluster.mnt();

        tree = dir.resolve("tree");
        shell.ok("mkdir -p " + q(tree) + " && cd " + q(tree)
                + " && mkdir -p a/b/c empty && for i in $(seq 1 30); do head -c $((i * 7919)) /dev/urandom > a/f$i; done"
                + " && head -c 3M /dev/urandom > a/b/big && printf 'x\\n' > a/b/c/small && : > a/zero"
                + " && ln -s f1 a/rel-link && ln -s ../a/b/big empty/up-link && ln -s missing a/dangling"
                + " && chmod 600 a/f1 && chmod 755 a/f2 && chmod 4711 a/f3 && chmod 2750 a/b && chmod 1777 empty"
                + " && chown 1234:5678 a/f4 && chown -h 4321:8765 a/rel-link"
                + " && touch -h -d '2001-02-03 04:05:06.123456789 UTC' a/rel-link"
                + " && touch -d '1999-12-31 23:59:59.987654321 UTC' a/f5"
                + " && touch -d '2200-03-04 05:06:07.000000001 UTC' a/b/c/small"
                + " && touch -d '2010-01-01 00:00:00.5 UTC' a/b/c a/b a empty");
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster == null) {
            return;
        }
        cluster.close(); // unmounts DIR/mnt first
    }

    @Test
    void cpArchiveKeepsContentsSymlinksModesOwnersAndNanosecondTimes() throws Exception {
        Path copy = mnt.resolve("cp-a");
        shell.ok("cp -a " + q(tree) + " " + q(copy));
        shell.ok("diff -r --no-dereference " + q(tree) + " " + q(copy));
        String expected = shell.ok("cd " + q(tree) + " && " + LISTING);
        assertThat(shell.ok("cd " + q(copy) + " && " + LISTING)).isEqualTo(expected);
        assertThat(expected).contains("a/f3 f 4711 ").contains("a/rel-link l 777 4321 8765 981173106.1234567890 f1");
    }

    @Test
    void tarExtractGivesTheSameTreeAsALocalExtract() throws Exception {
        Path archive = dir.resolve("tree.tar");
        shell.ok("tar --format=posix -cf " + q(archive) + " -C " + q(tree) + " .");
        Path local = Files.createDirectories(dir.resolve("untar-local"));
        Path remote = Files.createDirectories(mnt.resolve("untar"));
        shell.ok("tar -xpf " + q(archive) + " -C " + q(local));
        shell.ok("tar -xpf " + q(archive) + " -C " + q(remote));
        shell.ok("diff -r --no-dereference " + q(local) + " " + q(remote));
        assertThat(shell.ok("cd " + q(remote) + " && " + LISTING)).isEqualTo(shell.ok("cd " + q(local) + " && " + LISTING));
    }

    @Test
    void rsyncArchiveCopiesTheTreeAndASecondRunTransfersNothing() throws Exception {
        Path target = mnt.resolve("rsync");
        shell.ok("rsync -a " + q(tree) + "/ " + q(target) + "/");
        shell.ok("diff -r --no-dereference " + q(tree) + " " + q(target));
        assertThat(shell.ok("cd " + q(target) + " && " + LISTING)).isEqualTo(shell.ok("cd " + q(tree) + " && " + LISTING));

        // Sizes and mtimes read back from the mount must equal the source's, else rsync copies again.
        String second = shell.ok("rsync -a --itemize-changes --stats " + q(tree) + "/ " + q(target) + "/");
        assertThat(second).contains("Number of regular files transferred: 0");
        assertThat(second.lines().filter(line -> line.matches("^[<>ch.*][fdLDS].*"))).as(second).isEmpty();
    }

    @Test
    void ddInOddBlockSizesKeepsTheSha256() throws Exception {
        Path source = dir.resolve("dd-source");
        Path target = mnt.resolve("dd-target");
        shell.ok("head -c 20M /dev/urandom > " + q(source) + " && head -c 12345 /dev/urandom >> " + q(source));
        shell.ok("dd if=" + q(source) + " of=" + q(target) + " bs=131071 conv=fsync status=none");
        String expected = shell.ok("sha256sum < " + q(source));
        shell.ok("echo 3 > /proc/sys/vm/drop_caches || true");
        assertThat(shell.ok("dd if=" + q(target) + " bs=1M status=none | sha256sum")).isEqualTo(expected);
        assertThat(shell.ok("sha256sum < " + q(target))).isEqualTo(expected);
        // A block in the middle, overwritten in place, changes only that block.
        shell.ok("dd if=/dev/zero of=" + q(target) + " bs=4096 seek=1000 count=3 conv=notrunc status=none"
                + " && dd if=/dev/zero of=" + q(source) + " bs=4096 seek=1000 count=3 conv=notrunc status=none");
        shell.ok("echo 3 > /proc/sys/vm/drop_caches || true");
        assertThat(shell.ok("sha256sum < " + q(target))).isEqualTo(shell.ok("sha256sum < " + q(source)));
        assertThat(shell.ok("stat -c %s " + q(target)).strip()).isEqualTo(String.valueOf((20 << 20) + 12345));
    }

    @Test
    void lnAndMvKeepOneInodeUnderEveryName() throws Exception {
        shell.ok("cd " + q(mnt) + " && mkdir -p lm/x lm/y && echo first > lm/x/f && ln lm/x/f lm/y/hard"
                + " && ln -s ../x/f lm/y/soft && echo second > lm/x/other && mv lm/x/other lm/x/f");
        // mv over f replaced the name; the hard link still holds the first inode.
        assertThat(shell.ok("cat " + q(mnt.resolve("lm/y/hard")))).isEqualTo("first\n");
        assertThat(shell.ok("cat " + q(mnt.resolve("lm/y/soft")))).isEqualTo("second\n");
        assertThat(shell.ok("stat -c %h " + q(mnt.resolve("lm/y/hard"))).strip()).isEqualTo("1");

        shell.ok("cd " + q(mnt) + " && ln lm/y/hard lm/y/hard2 && mv lm/y lm/x/moved");
        assertThat(shell.ok("stat -c '%i %h' " + q(mnt.resolve("lm/x/moved/hard"))))
                .isEqualTo(shell.ok("stat -c '%i %h' " + q(mnt.resolve("lm/x/moved/hard2"))));
        assertThat(shell.ok("stat -c %h " + q(mnt.resolve("lm/x/moved/hard"))).strip()).isEqualTo("2");
        assertThat(shell.ok("readlink " + q(mnt.resolve("lm/x/moved/soft"))).strip()).isEqualTo("../x/f");
        assertThat(Files.exists(mnt.resolve("lm/y"))).isFalse();
        assertThat(shell.ok("cd " + q(mnt.resolve("lm/x")) + " && ls -a | LC_ALL=C sort | tr '\\n' ' '"))
                .isEqualTo(". .. f moved ");
    }

    @Test
    void gitCommitsInTheMountAndFsckFindsNoProblem() throws Exception {
        Path repo = mnt.resolve("repo");
        String git = "git -c user.name=Test -c user.email=test@mooseng.invalid -c init.defaultBranch=main"
                + " -c gc.auto=0 -C " + q(repo) + " ";
        shell.ok("mkdir " + q(repo) + " && cp -a " + q(tree) + "/a " + q(repo) + "/src");
        shell.ok(git + "init -q && " + git + "add -A && " + git + "commit -q -m first");
        shell.ok("echo changed >> " + q(repo.resolve("src/f7")) + " && rm " + q(repo.resolve("src/f8")));
        shell.ok(git + "commit -q -a -m second");
        shell.ok(git + "gc -q");
        String fsck = shell.ok(git + "fsck --full --strict");
        assertThat(fsck).doesNotContain("error").doesNotContain("missing").doesNotContain("dangling");
        assertThat(shell.ok(git + "log --format=%s").lines().toList()).containsExactly("second", "first");
        assertThat(shell.ok(git + "status --porcelain")).isEmpty();
        assertThat(shell.ok(git + "show HEAD:src/f7 | tail -c 8")).isEqualTo("changed\n");
    }
}
