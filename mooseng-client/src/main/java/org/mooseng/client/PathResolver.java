package org.mooseng.client;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.mooseng.common.InodeId;
import org.mooseng.common.Layout;
import org.mooseng.common.Status;
import org.mooseng.proto.Attr;

/**
 * Turns absolute paths into inodes by looking names up one directory at a time from the
 * root, the way the kernel's path walk does: "." and ".." are handled here (".." of the
 * root is the root), symlinks are followed in every intermediate component and, when
 * asked, in the last one; more than {@value #MAX_SYMLINKS} links in one walk is ELOOP.
 */
final class PathResolver {
    static final int MAX_SYMLINKS = 40;

    /** The namespace calls a path walk needs. */
    interface Namespace {
        Attr lookup(InodeId parent, String name, String subject) throws MoosengException;

        Attr getAttr(InodeId inode, String subject) throws MoosengException;

        String readLink(InodeId inode, String subject) throws MoosengException;
    }

    /** A path's parent directory and last name: what create, unlink and rename work on. */
    record ParentAndName(Attr parent, String name) {
        InodeId parentId() {
            return new InodeId(parent.getInode());
        }
    }

    private static final Attr ROOT_PLACEHOLDER = Attr.newBuilder()
            .setInode(InodeId.ROOT.value()).setType(org.mooseng.proto.FileType.DIRECTORY).build();

    private final Namespace namespace;

    PathResolver(Namespace namespace) {
        this.namespace = namespace;
    }

    /** The attributes of the inode a path names. */
    Attr resolve(String path, boolean followLastSymlink) throws MoosengException {
        return walk(path, components(path), followLastSymlink);
    }

    /** The directory that holds a path's last name, and that name. */
    ParentAndName resolveParent(String path) throws MoosengException {
        List<String> parts = components(path);
        if (parts.isEmpty()) {
            throw new MoosengException(Status.EINVAL, path, "the root has no parent");
        }
        String name = parts.getLast();
        if (name.equals(".") || name.equals("..")) {
            throw new MoosengException(Status.EINVAL, path, "last component must be a name");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > Layout.MAX_NAME_BYTES) {
            throw new MoosengException(Status.ENAMETOOLONG, path);
        }
        Attr parent = walk(path, parts.subList(0, parts.size() - 1), true);
        if (parent.getType() != org.mooseng.proto.FileType.DIRECTORY) {
            throw new MoosengException(Status.ENOTDIR, path);
        }
        return new ParentAndName(parent, name);
    }

    private Attr walk(String path, List<String> parts, boolean followLastSymlink) throws MoosengException {
        Deque<String> todo = new ArrayDeque<>(parts);
        Deque<Attr> ancestors = new ArrayDeque<>();
        Attr current = ROOT_PLACEHOLDER;
        int symlinks = 0;
        while (!todo.isEmpty()) {
            String name = todo.pollFirst();
            if (name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                if (!ancestors.isEmpty()) {
                    current = ancestors.pop();
                }
                continue;
            }
            Attr child = namespace.lookup(new InodeId(current.getInode()), name, path);
            boolean last = todo.isEmpty();
            if (child.getType() == org.mooseng.proto.FileType.SYMLINK && (!last || followLastSymlink)) {
                if (++symlinks > MAX_SYMLINKS) {
                    throw new MoosengException(Status.ELOOP, path);
                }
                String target = namespace.readLink(new InodeId(child.getInode()), path);
                if (target.isEmpty()) {
                    throw new MoosengException(Status.ENOENT, path, "empty symlink target");
                }
                if (target.startsWith("/")) {
                    current = ROOT_PLACEHOLDER;
                    ancestors.clear();
                }
                List<String> targetParts = split(target);
                for (int i = targetParts.size() - 1; i >= 0; i--) {
                    todo.addFirst(targetParts.get(i));
                }
                continue;
            }
            if (!last && child.getType() != org.mooseng.proto.FileType.DIRECTORY) {
                throw new MoosengException(Status.ENOTDIR, path);
            }
            ancestors.push(current);
            current = child;
        }
        return current == ROOT_PLACEHOLDER ? namespace.getAttr(InodeId.ROOT, path) : current;
    }

    /** The names of an absolute path; empty for the root. */
    static List<String> components(String path) throws MoosengException {
        if (path == null || !path.startsWith("/")) {
            throw new MoosengException(Status.EINVAL, String.valueOf(path), "path must be absolute");
        }
        if (path.indexOf('\0') >= 0) {
            throw new MoosengException(Status.EINVAL, path, "path contains a NUL byte");
        }
        return split(path);
    }

    private static List<String> split(String path) {
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/")) {
            if (!part.isEmpty()) {
                parts.add(part);
            }
        }
        return parts;
    }
}
