package org.mooseng.metalogger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.mooseng.meta.NamespaceReader;
import org.mooseng.meta.SessionReader;
import org.mooseng.proto.Attr;
import org.mooseng.proto.AttrReply;
import org.mooseng.proto.ChunkRef;
import org.mooseng.proto.Credentials;
import org.mooseng.proto.DirEntry;
import org.mooseng.proto.FileType;
import org.mooseng.proto.GetXattrReply;
import org.mooseng.proto.ListXattrReply;
import org.mooseng.proto.ReadDirReply;
import org.mooseng.proto.ReadLinkReply;
import org.mooseng.proto.SessionInfo;

/**
 * A hash of a whole namespace, for comparing two copies (a master and a metalogger, a store
 * and its restore). It walks the tree from the root through {@link NamespaceReader}: every
 * directory entry (parent, name, inode, type, cookie), every inode once (all attributes,
 * symlink target, extended attributes with values, chunks with versions), the inodes kept
 * only because they are open, the sessions, the counters and the cluster id. {@link #lines}
 * gives the same content readable, for a diff when two digests differ.
 */
public final class NamespaceDigest {
    private static final Credentials ROOT = Credentials.newBuilder().setUid(0).setGid(0).build();
    private static final long ROOT_INODE = 1;
    private static final int PAGE_ENTRIES = 1_000;

    private NamespaceDigest() {
    }

    /** SHA-256 of {@link #lines}, hex. */
    public static String of(NamespaceReader namespace, SessionReader sessions) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
        for (String line : lines(namespace, sessions)) {
            sha.update(line.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) '\n');
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** The namespace as canonical text lines, in a fixed order. */
    public static List<String> lines(NamespaceReader namespace, SessionReader sessions) {
        List<String> out = new ArrayList<>();
        out.add("cluster " + namespace.clusterId().orElse(""));
        NamespaceReader.NamespaceStats stats = namespace.stats();
        out.add("stats inodes=" + stats.inodes() + " files=" + stats.files() + " dirs=" + stats.directories()
                + " chunks=" + stats.chunks() + " bytes=" + stats.totalFileBytes() + " next-chunk="
                + namespace.nextChunkId());
        Set<Long> inodes = new TreeSet<>();
        if (namespace.getAttr(ROOT_INODE).getStatus() == 0) {
            walk(namespace, out, inodes);
        }
        inodes.addAll(sessions.retainedInodes());
        for (long inode : inodes) {
            describeInode(namespace, inode, out);
        }
        for (long inode : sessions.retainedInodes()) {
            out.add("retained " + inode);
        }
        for (SessionInfo session : sessions.sessions()) {
            out.add("session " + shortText(session.toString()));
        }
        return out;
    }

    private static void walk(NamespaceReader namespace, List<String> out, Set<Long> inodes) {
        Deque<Long> directories = new ArrayDeque<>();
        directories.add(ROOT_INODE);
        inodes.add(ROOT_INODE);
        while (!directories.isEmpty()) {
            long dir = directories.removeFirst();
            long cookie = 0;
            while (true) {
                ReadDirReply page = namespace.readDir(ROOT, dir, cookie, PAGE_ENTRIES);
                if (page.getStatus() != 0) {
                    out.add("readdir " + dir + " failed " + page.getStatus() + " " + page.getMessage());
                    break;
                }
                for (DirEntry entry : page.getEntriesList()) {
                    out.add("entry " + dir + " " + quote(entry.getName()) + " -> " + entry.getInode() + " "
                            + entry.getType() + " cookie " + entry.getCookie());
                    if (inodes.add(entry.getInode()) && entry.getType() == FileType.DIRECTORY) {
                        directories.add(entry.getInode());
                    }
                    cookie = entry.getCookie();
                }
                if (page.getEof() || page.getEntriesCount() == 0) {
                    break;
                }
            }
        }
    }

    private static void describeInode(NamespaceReader namespace, long inode, List<String> out) {
        AttrReply reply = namespace.getAttr(inode);
        if (reply.getStatus() != 0) {
            out.add("inode " + inode + " missing " + reply.getStatus());
            return;
        }
        Attr a = reply.getAttr();
        out.add("inode " + inode + " " + a.getType() + " mode " + Integer.toOctalString(a.getMode()) + " uid "
                + a.getUid() + " gid " + a.getGid() + " size " + a.getSize() + " nlink " + a.getNlink() + " atime "
                + a.getAtime().getSeconds() + "." + a.getAtime().getNanos() + " mtime " + a.getMtime().getSeconds()
                + "." + a.getMtime().getNanos() + " ctime " + a.getCtime().getSeconds() + "." + a.getCtime().getNanos()
                + " rdev " + a.getRdev() + " goal " + a.getGoal());
        if (a.getType() == FileType.SYMLINK) {
            ReadLinkReply link = namespace.readLink(inode);
            out.add("  target " + (link.getStatus() == 0 ? quote(link.getTarget()) : "failed " + link.getStatus()));
        }
        ListXattrReply names = namespace.listXattr(ROOT, inode);
        for (String name : new TreeSet<>(names.getNamesList())) {
            GetXattrReply value = namespace.getXattr(ROOT, inode, name);
            out.add("  xattr " + quote(name) + " = " + (value.getStatus() == 0
                    ? HexFormat.of().formatHex(value.getValue().toByteArray()) : "failed " + value.getStatus()));
        }
        if (a.getType() == FileType.REGULAR) {
            for (ChunkRef chunk : namespace.chunksOf(inode)) {
                out.add("  chunk " + chunk.getChunkIndex() + " id " + chunk.getChunkId() + " v" + chunk.getVersion());
            }
        }
    }

    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
    }

    private static String shortText(String protoText) {
        return protoText.replace('\n', ' ').strip();
    }
}
