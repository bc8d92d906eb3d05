package org.mooseng.meta;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.mooseng.common.Status;
import org.mooseng.common.StatusException;
import org.mooseng.meta.NamespaceReader.ChunkRecord;
import org.mooseng.proto.AttrReply;
import org.mooseng.proto.ChunkRef;
import org.mooseng.proto.Credentials;
import org.mooseng.proto.DirEntry;
import org.mooseng.proto.FileType;
import org.mooseng.proto.GetXattrReply;
import org.mooseng.proto.ListXattrReply;
import org.mooseng.proto.ReadDirReply;
import org.mooseng.proto.ReadLinkReply;
import org.mooseng.proto.StatusReply;

/** The read side of the namespace; callers hold the store's read lock. */
final class NamespaceQueries {
    /** Upper bound of one readdir page, whatever the caller asks for. */
    static final int MAX_READDIR_ENTRIES = 10_000;
    static final int DEFAULT_READDIR_ENTRIES = 1_000;
    /** Entries up to which a directory's first packed listing reads it whole into the listing cache. */
    static final long LISTING_LOAD_ENTRIES = 65_536;

    private NamespaceQueries() {
    }

    static AttrReply lookup(CommittedView view, Credentials cred, long parent, String name) throws StatusException {
        Names.requireLookupable(name);
        InodeRecord dir = requireInode(view, parent);
        if (!dir.isDirectory()) {
            throw new StatusException(Status.ENOTDIR, "inode " + parent + " is not a directory");
        }
        Permissions.require(cred, dir, Permissions.X_OK);
        long child;
        if (name.equals(".")) {
            child = dir.inode();
        } else if (name.equals("..")) {
            child = dir.parent();
        } else {
            child = view.entry(parent, name).orElseThrow(() -> new StatusException(Status.ENOENT,
                    "inode " + parent + ": no entry '" + name + "'")).inode();
        }
        return attrReply(requireInode(view, child));
    }

    static AttrReply getAttr(CommittedView view, long inode) throws StatusException {
        return attrReply(requireInode(view, inode));
    }

    static AttrReply openableAttr(CommittedView view, Credentials cred, long inode, int openFlags)
            throws StatusException {
        InodeRecord node = requireInode(view, inode);
        SessionOps.requireOpenAllowed(cred, node, openFlags);
        return attrReply(node);
    }

    static StatusReply access(CommittedView view, Credentials cred, long inode, int mask) throws StatusException {
        InodeRecord node = requireInode(view, inode);
        if ((mask & ~7) != 0) {
            throw new StatusException(Status.EINVAL, "access mask " + mask);
        }
        if (mask != 0) {
            Permissions.require(cred, node, mask);
        }
        return StatusReply.newBuilder().setStatus(0).build();
    }

    /**
     * One page of entries with a sequence number above {@code cookie}. Sequence numbers only
     * grow, so entries added while a client pages come after its cookie or are skipped, and
     * untouched entries are listed exactly once.
     */
    static ReadDirReply readDir(CommittedView view, Credentials cred, long inode, long cookie, int maxEntries)
            throws StatusException {
        List<DirEntry> entries = new ArrayList<>();
        boolean eof = scanDirectory(view, cred, inode, cookie, maxEntries,
                (seq, value) -> entries.add(DirIndexValue.decode(seq, value)));
        return ReadDirReply.newBuilder().setStatus(0).addAllEntries(entries).setEof(eof).build();
    }

    /**
     * As {@link #readDir}, each entry as a packed record (see ReadDirReply): copied from the
     * directory's cached listing, which a directory of at most {@link #LISTING_LOAD_ENTRIES}
     * entries gets at its first listing, else from the index.
     */
    static ReadDirReply readDirPacked(CommittedView view, Credentials cred, long inode, long cookie, int maxEntries)
            throws StatusException {
        InodeRecord dir = listableDirectory(view, cred, inode);
        int limit = pageLimit(maxEntries);
        if (cookie < 0 || cookie == Long.MAX_VALUE) {
            return ReadDirReply.newBuilder().setStatus(0).setEof(true).build();
        }
        ListingCache listings = view.cache().listings();
        Optional<ListingCache.Page> cached = listings.page(inode, cookie, limit);
        if (cached.isEmpty() && dir.entryCount() <= LISTING_LOAD_ENTRIES) {
            loadListing(view, inode, (int) dir.entryCount());
            cached = listings.page(inode, cookie, limit);
        }
        if (cached.isPresent()) {
            ListingCache.Page page = cached.get();
            return ReadDirReply.newBuilder().setStatus(0).setEof(page.eof())
                    .setPackedEntries(UnsafeByteOperations.unsafeWrap(page.records(), 0, page.length())).build();
        }
        PackedEntries packed = new PackedEntries();
        boolean eof = scanDirectory(view, cred, inode, cookie, maxEntries, packed::add);
        return ReadDirReply.newBuilder().setStatus(0).setPackedEntries(packed.bytes()).setEof(eof).build();
    }

    /** Reads the directory's whole index into the listing cache (under the read lock: no commit in between). */
    private static void loadListing(CommittedView view, long inode, int entries) {
        long[] seqs = new long[entries];
        byte[][] values = new byte[entries][];
        int[] count = {0};
        boolean[] matches = {true};
        view.store().scan(Family.DIR_INDEX, null, Keys.ofLongs(inode, 0), Keys.prefixEnd(inode), (key, value) -> {
            if (count[0] == entries) {
                matches[0] = false; // more than the inode counts: list from the index
                return false;
            }
            seqs[count[0]] = Keys.longAt(key, Long.BYTES);
            values[count[0]] = value;
            count[0]++;
            return true;
        });
        if (matches[0] && count[0] == entries) {
            view.cache().listings().put(inode, seqs, values, entries);
        }
    }

    @FunctionalInterface
    private interface IndexEntryVisitor {
        void visit(long seq, byte[] value);
    }

    /** Visits the index entries of a directory after {@code cookie}, at most a page of them; true when none is left. */
    private static boolean scanDirectory(CommittedView view, Credentials cred, long inode, long cookie, int maxEntries,
                                         IndexEntryVisitor visitor) throws StatusException {
        listableDirectory(view, cred, inode);
        int limit = pageLimit(maxEntries);
        if (cookie < 0 || cookie == Long.MAX_VALUE) {
            return true;
        }
        int[] visited = {0};
        boolean[] more = {false};
        view.store().scan(Family.DIR_INDEX, null, Keys.ofLongs(inode, cookie + 1), Keys.prefixEnd(inode),
                (key, value) -> {
                    if (visited[0] == limit) {
                        more[0] = true;
                        return false;
                    }
                    visitor.visit(Keys.longAt(key, Long.BYTES), value);
                    visited[0]++;
                    return true;
                });
        return !more[0];
    }

    private static InodeRecord listableDirectory(CommittedView view, Credentials cred, long inode)
            throws StatusException {
        InodeRecord dir = requireInode(view, inode);
        if (!dir.isDirectory()) {
            throw new StatusException(Status.ENOTDIR, "inode " + inode + " is not a directory");
        }
        Permissions.require(cred, dir, Permissions.R_OK);
        return dir;
    }

    private static int pageLimit(int maxEntries) {
        return maxEntries <= 0 ? DEFAULT_READDIR_ENTRIES : Math.min(maxEntries, MAX_READDIR_ENTRIES);
    }

    static ReadLinkReply readLink(CommittedView view, long inode) throws StatusException {
        InodeRecord node = requireInode(view, inode);
        if (node.type() != FileType.SYMLINK) {
            throw new StatusException(Status.EINVAL, "inode " + inode + " is not a symlink");
        }
        byte[] target = view.symlinkTarget(inode).orElseThrow(
                () -> new IllegalStateException("inode " + inode + ": symlink without target"));
        return ReadLinkReply.newBuilder().setStatus(0).setTarget(new String(target, StandardCharsets.UTF_8)).build();
    }

    static GetXattrReply getXattr(CommittedView view, Credentials cred, long inode, String name)
            throws StatusException {
        InodeRecord node = requireInode(view, inode);
        AttrOps.requireXattrName(name);
        Permissions.require(cred, node, Permissions.R_OK);
        byte[] value = view.xattr(inode, name).orElseThrow(() -> new StatusException(Status.ENODATA,
                "inode " + inode + ": no xattr '" + name + "'"));
        return GetXattrReply.newBuilder().setStatus(0).setValue(ByteString.copyFrom(value)).build();
    }

    static ListXattrReply listXattr(CommittedView view, long inode) throws StatusException {
        requireInode(view, inode);
        ListXattrReply.Builder reply = ListXattrReply.newBuilder().setStatus(0);
        view.store().scan(Family.XATTRS, null, Keys.ofLong(inode), Keys.prefixEnd(inode), (key, value) -> {
            reply.addNames(Keys.nameAfterLong(key));
            return true;
        });
        return reply.build();
    }

    static List<ChunkRef> chunksOf(CommittedView view, long inode) {
        List<ChunkRef> chunks = new ArrayList<>();
        view.store().scan(Family.FILE_CHUNKS, null, Keys.ofLong(inode), Keys.prefixEnd(inode), (key, value) -> {
            chunks.add(ChunkSlot.decode(value).toRef(Keys.longAt(key, Long.BYTES), 0));
            return true;
        });
        return chunks;
    }

    static Optional<ChunkRecord> chunk(CommittedView view, long chunkId) {
        byte[] owner = view.store().get(Family.CHUNK_OWNERS, Keys.ofLong(chunkId));
        if (owner == null) {
            return Optional.empty();
        }
        long inode = Keys.longAt(owner, 0);
        long chunkIndex = Keys.longAt(owner, Long.BYTES);
        ChunkSlot slot = view.chunkSlot(inode, chunkIndex).orElseThrow(() -> new IllegalStateException(
                "chunk " + chunkId + ": owner inode " + inode + " index " + chunkIndex + " has no chunk slot"));
        if (slot.chunkId() != chunkId) {
            throw new IllegalStateException("chunk " + chunkId + ": owner inode " + inode + " index " + chunkIndex
                    + " holds chunk " + slot.chunkId());
        }
        int goal = view.inode(inode).map(InodeRecord::goal).orElse(0);
        return Optional.of(new ChunkRecord(chunkId, slot.version(), inode, chunkIndex, goal, slot.raise()));
    }

    private static InodeRecord requireInode(CommittedView view, long inode) throws StatusException {
        return view.inode(inode).orElseThrow(() -> MetaStore.notFound(inode));
    }

    private static AttrReply attrReply(InodeRecord node) {
        return AttrReply.newBuilder().setStatus(0).setAttr(node.toAttr()).build();
    }
}
