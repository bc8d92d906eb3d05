package org.mooseng.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.mooseng.common.InodeId;
import org.mooseng.common.Status;
import org.mooseng.proto.Attr;
import org.mooseng.proto.FileType;

class PathResolverTest {
    /** A namespace of nodes keyed "parent/name", with symlink targets by inode. */
    private static final class TreeNamespace implements PathResolver.Namespace {
        final Map<String, Attr> entries = new HashMap<>();
        final Map<Long, String> targets = new HashMap<>();
        final AtomicInteger lookups = new AtomicInteger();
        long next = 2;

        long dir(long parent, String name) {
            return add(parent, name, FileType.DIRECTORY);
        }

        long file(long parent, String name) {
            return add(parent, name, FileType.REGULAR);
        }

        long symlink(long parent, String name, String target) {
            long inode = add(parent, name, FileType.SYMLINK);
            targets.put(inode, target);
            return inode;
        }

        private long add(long parent, String name, FileType type) {
            long inode = next++;
            entries.put(parent + "/" + name, Attr.newBuilder().setInode(inode).setType(type).build());
            return inode;
        }

        @Override
        public Attr lookup(InodeId parent, String name, String subject) throws MoosengException {
            lookups.incrementAndGet();
            Attr a = entries.get(parent.value() + "/" + name);
            if (a == null) {
                throw new MoosengException(Status.ENOENT, subject);
            }
            return a;
        }

        @Override
        public Attr getAttr(InodeId inode, String subject) {
            return Attr.newBuilder().setInode(inode.value()).setType(FileType.DIRECTORY).setMode(0755).build();
        }

        @Override
        public String readLink(InodeId inode, String subject) {
            return targets.get(inode.value());
        }
    }

    private final TreeNamespace ns = new TreeNamespace();
    private final PathResolver resolver = new PathResolver(ns);

    @Test
    void resolvesNestedNamesIgnoringDotsAndDoubleSlashes() throws Exception {
        long a = ns.dir(1, "a");
        long b = ns.dir(a, "b");
        long f = ns.file(b, "f");
        assertThat(resolver.resolve("/a//b/./f", true).getInode()).isEqualTo(f);
        assertThat(resolver.resolve("/a/b/../b/f", true).getInode()).isEqualTo(f);
    }

    @Test
    void rootAndDotDotOfRootAreTheRoot() throws Exception {
        assertThat(resolver.resolve("/", true).getInode()).isEqualTo(1);
        assertThat(resolver.resolve("/../..", true).getInode()).isEqualTo(1);
        assertThat(resolver.resolve("/", true).getMode()).isEqualTo(0755); // the real attributes, not a placeholder
    }

    @Test
    void relativeSymlinkInTheMiddleIsFollowedFromItsDirectory() throws Exception {
        long a = ns.dir(1, "a");
        long real = ns.dir(a, "real");
        long f = ns.file(real, "f");
        ns.symlink(a, "link", "real");
        assertThat(resolver.resolve("/a/link/f", false).getInode()).isEqualTo(f);
    }

    @Test
    void absoluteSymlinkRestartsAtTheRootAndDotDotIsPhysical() throws Exception {
        long a = ns.dir(1, "a");
        long deep = ns.dir(a, "deep");
        long other = ns.dir(1, "other");
        ns.symlink(other, "jump", "/a/deep");
        assertThat(resolver.resolve("/other/jump", true).getInode()).isEqualTo(deep);
        // ".." after following the link goes to the parent of the target, not of the link.
        assertThat(resolver.resolve("/other/jump/..", true).getInode()).isEqualTo(a);
    }

    @Test
    void lastSymlinkIsFollowedOnlyWhenAsked() throws Exception {
        long f = ns.file(1, "f");
        long link = ns.symlink(1, "l", "f");
        assertThat(resolver.resolve("/l", true).getInode()).isEqualTo(f);
        assertThat(resolver.resolve("/l", false).getInode()).isEqualTo(link);
    }

    @Test
    void symlinkLoopFailsWithEloopAfterFortyLinks() {
        ns.symlink(1, "x", "y");
        ns.symlink(1, "y", "x");
        assertThatThrownBy(() -> resolver.resolve("/x", true))
                .isInstanceOfSatisfying(MoosengException.class, e -> {
                    assertThat(e.status()).isEqualTo(Status.ELOOP);
                    assertThat(e.getMessage()).startsWith("/x: ");
                });
        assertThat(ns.lookups.get()).isEqualTo(PathResolver.MAX_SYMLINKS + 1);
    }

    @Test
    void fortyChainedLinksStillResolve() throws Exception {
        long f = ns.file(1, "l40");
        for (int i = 39; i >= 0; i--) {
            ns.symlink(1, "l" + i, "l" + (i + 1));
        }
        assertThat(resolver.resolve("/l0", true).getInode()).isEqualTo(f);
    }

    @Test
    void fileInTheMiddleIsNotADirectory() {
        ns.file(1, "f");
        assertThatThrownBy(() -> resolver.resolve("/f/x", true))
                .isInstanceOfSatisfying(MoosengException.class, e -> assertThat(e.status()).isEqualTo(Status.ENOTDIR));
    }

    @Test
    void relativePathsAreRejected() {
        assertThatThrownBy(() -> resolver.resolve("a/b", true))
                .isInstanceOfSatisfying(MoosengException.class, e -> assertThat(e.status()).isEqualTo(Status.EINVAL));
    }

    @Test
    void parentOfAPathFollowsSymlinksButKeepsTheLastName() throws Exception {
        long d = ns.dir(1, "d");
        ns.symlink(1, "ld", "d");
        PathResolver.ParentAndName pn = resolver.resolveParent("/ld/new");
        assertThat(pn.parentId().value()).isEqualTo(d);
        assertThat(pn.name()).isEqualTo("new");
        assertThatThrownBy(() -> resolver.resolveParent("/"))
                .isInstanceOfSatisfying(MoosengException.class, e -> assertThat(e.status()).isEqualTo(Status.EINVAL));
        assertThatThrownBy(() -> resolver.resolveParent("/" + "n".repeat(256)))
                .isInstanceOfSatisfying(MoosengException.class,
                        e -> assertThat(e.status()).isEqualTo(Status.ENAMETOOLONG));
    }
}
