package org.mooseng.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mooseng.meta.TestNamespace.ROOT;
import static org.mooseng.meta.TestNamespace.ROOT_CRED;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.mooseng.proto.DirEntry;
import org.mooseng.proto.FileType;
import org.mooseng.proto.MetaResult;

/**
 * Random sequences of create/mkdir/unlink/rmdir/rename/link applied to the store and to a
 * tiny in-memory model must agree on every status and on the final tree.
 */
class NamespaceModelPropertyTest {
    enum Kind { CREATE, MKDIR, UNLINK, RMDIR, RENAME, LINK }

    /** Directory and node picks are indices resolved against the model's current state. */
    record Step(Kind kind, int dirPick, String name, int otherPick, String otherName) {
    }

    @Provide
    Arbitrary<Step> steps() {
        Arbitrary<String> names = Arbitraries.of("a", "b", "c", "d");
        Arbitrary<Integer> picks = Arbitraries.integers().between(0, 50);
        return Combinators.combine(Arbitraries.of(Kind.class), picks, names, picks, names).as(Step::new);
    }

    @Property(tries = 100)
    void storeAgreesWithModel(@ForAll @Size(min = 10, max = 120) List<@net.jqwik.api.From("steps") Step> steps)
            throws IOException {
        Path dir = Files.createTempDirectory("meta-property");
        try (TestNamespace ns = TestNamespace.formatted(dir)) {
            Model model = new Model();
            for (Step step : steps) {
                Model.Dir target = model.dir(step.dirPick());
                int expected;
                MetaResult actual;
                switch (step.kind()) {
                    case CREATE -> {
                        expected = model.create(target, step.name(), false);
                        actual = ns.createExclusive(ROOT_CRED, target.id, step.name(), true);
                    }
                    case MKDIR -> {
                        expected = model.create(target, step.name(), true);
                        actual = ns.mkdir(ROOT_CRED, target.id, step.name());
                    }
                    case UNLINK -> {
                        expected = model.remove(target, step.name(), false);
                        actual = ns.unlink(ROOT_CRED, target.id, step.name());
                    }
                    case RMDIR -> {
                        expected = model.remove(target, step.name(), true);
                        actual = ns.rmdir(ROOT_CRED, target.id, step.name());
                    }
                    case RENAME -> {
                        Model.Dir to = model.dir(step.otherPick());
                        expected = model.rename(target, step.name(), to, step.otherName());
                        actual = ns.rename(ROOT_CRED, target.id, step.name(), to.id, step.otherName());
                    }
                    case LINK -> {
                        Model.Node source = model.node(step.otherPick());
                        expected = model.link(source, target, step.name());
                        actual = ns.link(ROOT_CRED, source.id, target.id, step.name());
                    }
                    default -> throw new IllegalStateException();
                }
                assertThat(actual.getStatus()).as("%s -> %s", step, actual.getMessage()).isEqualTo(expected);
                if (expected == 0 && (step.kind() == Kind.CREATE || step.kind() == Kind.MKDIR)) {
                    model.bind(target, step.name(), actual.getAttr().getInode());
                }
            }
            assertThat(storeTree(ns, ROOT, "/")).isEqualTo(model.tree());
        } finally {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private static String storeTree(TestNamespace ns, long inode, String path) {
        StringBuilder out = new StringBuilder();
        List<DirEntry> entries = new ArrayList<>(ns.list(inode));
        entries.sort(Comparator.comparing(DirEntry::getName));
        for (DirEntry e : entries) {
            var attr = ns.attr(e.getInode());
            boolean isDir = attr.getType() == FileType.DIRECTORY;
            out.append(path).append(e.getName()).append(isDir ? "/ " : " ").append(attr.getNlink()).append('\n');
            if (isDir) {
                out.append(storeTree(ns, e.getInode(), path + e.getName() + "/"));
            }
        }
        return out.toString();
    }

    /** The reference: plain objects, POSIX rules written as directly as possible. */
    static final class Model {
        static final int ENOENT = 2;
        static final int EEXIST = 17;
        static final int ENOTDIR = 20;
        static final int EISDIR = 21;
        static final int EINVAL = 22;
        static final int ENOTEMPTY = 39;
        static final int EPERM = 1;

        abstract static class Node {
            long id;
        }

        static final class File extends Node {
            int links = 1;
        }

        static final class Dir extends Node {
            Dir parent;
            final TreeMap<String, Node> children = new TreeMap<>();
        }

        final Dir root = new Dir();

        Model() {
            root.id = ROOT;
            root.parent = root;
        }

        List<Dir> dirs() {
            List<Dir> all = new ArrayList<>();
            collect(root, all, null);
            return all;
        }

        List<Node> nodes() {
            List<Node> all = new ArrayList<>();
            collect(root, null, all);
            return all;
        }

        private void collect(Dir dir, List<Dir> dirs, List<Node> nodes) {
            if (dirs != null) {
                dirs.add(dir);
            }
            for (Node child : dir.children.values()) {
                if (nodes != null) {
                    nodes.add(child);
                }
                if (child instanceof Dir d) {
                    collect(d, dirs, nodes);
                }
            }
        }

        Dir dir(int pick) {
            List<Dir> all = dirs();
            return all.get(pick % all.size());
        }

        /** A node by pick; the root when there is none yet (linking the root is EPERM as for any directory). */
        Node node(int pick) {
            List<Node> all = nodes();
            return all.isEmpty() ? root : all.get(pick % all.size());
        }

        int create(Dir parent, String name, boolean directory) {
            if (parent.children.containsKey(name)) {
                return EEXIST;
            }
            Node node;
            if (directory) {
                Dir d = new Dir();
                d.parent = parent;
                node = d;
            } else {
                node = new File();
            }
            parent.children.put(name, node);
            return 0;
        }

        void bind(Dir parent, String name, long id) {
            parent.children.get(name).id = id;
        }

        int remove(Dir parent, String name, boolean directory) {
            Node node = parent.children.get(name);
            if (node == null) {
                return ENOENT;
            }
            if (directory && !(node instanceof Dir)) {
                return ENOTDIR;
            }
            if (!directory && node instanceof Dir) {
                return EISDIR;
            }
            if (node instanceof Dir d && !d.children.isEmpty()) {
                return ENOTEMPTY;
            }
            parent.children.remove(name);
            if (node instanceof File f) {
                f.links--;
            }
            return 0;
        }

        int link(Node source, Dir parent, String name) {
            if (parent.children.containsKey(name)) {
                return EEXIST;
            }
            if (source instanceof Dir) {
                return EPERM;
            }
            ((File) source).links++;
            parent.children.put(name, source);
            return 0;
        }

        int rename(Dir from, String name, Dir to, String newName) {
            Node node = from.children.get(name);
            if (node == null) {
                return ENOENT;
            }
            Node existing = to.children.get(newName);
            if (existing == node) {
                return 0;
            }
            if (node instanceof Dir moving) {
                for (Dir d = to; ; d = d.parent) {
                    if (d == moving) {
                        return EINVAL;
                    }
                    if (d == root) {
                        break;
                    }
                }
            }
            if (existing != null) {
                if (node instanceof Dir && !(existing instanceof Dir)) {
                    return ENOTDIR;
                }
                if (!(node instanceof Dir) && existing instanceof Dir) {
                    return EISDIR;
                }
                if (existing instanceof Dir d && !d.children.isEmpty()) {
                    return ENOTEMPTY;
                }
                if (existing instanceof File f) {
                    f.links--;
                }
            }
            from.children.remove(name);
            to.children.put(newName, node);
            if (node instanceof Dir moving) {
                moving.parent = to;
            }
            return 0;
        }

        String tree() {
            StringBuilder out = new StringBuilder();
            append(out, root, "/");
            return out.toString();
        }

        private static void append(StringBuilder out, Dir dir, String path) {
            for (var e : dir.children.entrySet()) {
                if (e.getValue() instanceof Dir d) {
                    long subdirs = d.children.values().stream().filter(n -> n instanceof Dir).count();
                    out.append(path).append(e.getKey()).append("/ ").append(2 + subdirs).append('\n');
                    append(out, d, path + e.getKey() + "/");
                } else {
                    out.append(path).append(e.getKey()).append(' ').append(((File) e.getValue()).links).append('\n');
                }
            }
        }
    }
}
