package org.mooseng.meta;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.mooseng.proto.Attr;
import org.mooseng.proto.ChunkWriteBeginOp;
import org.mooseng.proto.ChunkWriteEndOp;
import org.mooseng.proto.CreateOp;
import org.mooseng.proto.Credentials;
import org.mooseng.proto.DirEntry;
import org.mooseng.proto.FileType;
import org.mooseng.proto.FormatOp;
import org.mooseng.proto.LinkOp;
import org.mooseng.proto.MetaOp;
import org.mooseng.proto.MetaResult;
import org.mooseng.proto.ReadDirReply;
import org.mooseng.proto.RemoveXattrOp;
import org.mooseng.proto.RenameOp;
import org.mooseng.proto.SetAttrOp;
import org.mooseng.proto.SetGoalOp;
import org.mooseng.proto.SetXattrOp;
import org.mooseng.proto.SymlinkOp;
import org.mooseng.proto.Timespec;
import org.mooseng.proto.UnlinkOp;

/** A MetaStore driven like the Raft adapter drives it: consecutive indices, a settable clock. */
final class TestNamespace implements AutoCloseable {
    static final long ROOT = 1;
    static final Credentials ROOT_CRED = Credentials.newBuilder().setUid(0).setGid(0).build();
    static final Credentials ALICE = Credentials.newBuilder().setUid(1000).setGid(1000).build();
    static final Credentials BOB = Credentials.newBuilder().setUid(2000).setGid(2000).build();
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EACCES = 13;
    static final int EEXIST = 17;
    static final int ENOTDIR = 20;
    static final int EISDIR = 21;
    static final int EINVAL = 22;
    static final int ERANGE = 34;
    static final int ENAMETOOLONG = 36;
    static final int ENOTEMPTY = 39;
    static final int ENODATA = 61;

    final MetaStore store;
    private long index;
    Timespec now = time(1_700_000_000L, 0);

    private TestNamespace(MetaStore store) {
        this.store = store;
        this.index = store.lastAppliedIndex();
    }

    static TestNamespace open(Path dir) throws IOException {
        return withCache(dir, 10_000);
    }

    static TestNamespace withCache(Path dir, long cacheEntries) throws IOException {
        return new TestNamespace(MetaStore.open(dir, cacheEntries));
    }

    /** A formatted namespace whose root is world-writable, so ordinary users can work in it. */
    static TestNamespace formatted(Path dir) throws IOException {
        TestNamespace ns = open(dir);
        ns.expectOk(ns.apply(ROOT_CRED, MetaOp.newBuilder().setFormat(FormatOp.newBuilder().setClusterId("c1"))));
        ns.expectOk(ns.setAttr(ROOT_CRED, SetAttrOp.newBuilder().setInode(ROOT).setMode(0777)
                .setValid(SetAttrOp.Field.SET_MODE_VALUE)));
        return ns;
    }

    static Timespec time(long seconds, int nanos) {
        return Timespec.newBuilder().setSeconds(seconds).setNanos(nanos).build();
    }

    void tick() {
        now = time(now.getSeconds() + 1, now.getNanos());
    }

    long index() {
        return index;
    }

    MetaResult apply(Credentials cred, MetaOp.Builder op) {
        return store.apply(++index, op.setCred(cred).setNow(now).build());
    }

    MetaResult format(String clusterId) {
        return apply(ROOT_CRED, MetaOp.newBuilder().setFormat(FormatOp.newBuilder().setClusterId(clusterId)));
    }

    MetaResult create(Credentials cred, long parent, String name, FileType type, int mode) {
        return apply(cred, MetaOp.newBuilder().setCreate(CreateOp.newBuilder().setParent(parent).setName(name)
                .setType(type).setMode(mode)));
    }

    MetaResult createExclusive(Credentials cred, long parent, String name, boolean exclusive) {
        return apply(cred, MetaOp.newBuilder().setCreate(CreateOp.newBuilder().setParent(parent).setName(name)
                .setType(FileType.REGULAR).setMode(0644).setExclusive(exclusive)));
    }

    MetaResult file(Credentials cred, long parent, String name) {
        return create(cred, parent, name, FileType.REGULAR, 0644);
    }

    MetaResult mkdir(Credentials cred, long parent, String name) {
        return create(cred, parent, name, FileType.DIRECTORY, 0755);
    }

    /** Creates and returns the inode, failing the test if the op is rejected. */
    long fileId(Credentials cred, long parent, String name) {
        return expectOk(file(cred, parent, name)).getAttr().getInode();
    }

    long dirId(Credentials cred, long parent, String name) {
        return expectOk(mkdir(cred, parent, name)).getAttr().getInode();
    }

    MetaResult symlink(Credentials cred, long parent, String name, String target) {
        return apply(cred, MetaOp.newBuilder().setSymlink(SymlinkOp.newBuilder().setParent(parent).setName(name)
                .setTarget(target)));
    }

    MetaResult link(Credentials cred, long inode, long newParent, String newName) {
        return apply(cred, MetaOp.newBuilder().setLink(LinkOp.newBuilder().setInode(inode).setNewParent(newParent)
                .setNewName(newName)));
    }

    MetaResult unlink(Credentials cred, long parent, String name) {
        return apply(cred, MetaOp.newBuilder().setUnlink(UnlinkOp.newBuilder().setParent(parent).setName(name)));
    }

    MetaResult rmdir(Credentials cred, long parent, String name) {
        return apply(cred, MetaOp.newBuilder().setUnlink(UnlinkOp.newBuilder().setParent(parent).setName(name)
                .setIsDir(true)));
    }

    MetaResult rename(Credentials cred, long parent, String name, long newParent, String newName, int flags) {
        return apply(cred, MetaOp.newBuilder().setRename(RenameOp.newBuilder().setParent(parent).setName(name)
                .setNewParent(newParent).setNewName(newName).setFlags(flags)));
    }

    MetaResult rename(Credentials cred, long parent, String name, long newParent, String newName) {
        return rename(cred, parent, name, newParent, newName, 0);
    }

    MetaResult setAttr(Credentials cred, SetAttrOp.Builder op) {
        return apply(cred, MetaOp.newBuilder().setSetAttr(op));
    }

    MetaResult chmod(Credentials cred, long inode, int mode) {
        return setAttr(cred, SetAttrOp.newBuilder().setInode(inode).setMode(mode)
                .setValid(SetAttrOp.Field.SET_MODE_VALUE));
    }

    MetaResult truncate(Credentials cred, long inode, long sizeBytes) {
        return setAttr(cred, SetAttrOp.newBuilder().setInode(inode).setSize(sizeBytes)
                .setValid(SetAttrOp.Field.SET_SIZE_VALUE));
    }

    MetaResult setXattr(Credentials cred, long inode, String name, byte[] value, int flags) {
        return apply(cred, MetaOp.newBuilder().setSetXattr(SetXattrOp.newBuilder().setInode(inode).setName(name)
                .setValue(ByteString.copyFrom(value)).setFlags(flags)));
    }

    MetaResult removeXattr(Credentials cred, long inode, String name) {
        return apply(cred, MetaOp.newBuilder().setRemoveXattr(RemoveXattrOp.newBuilder().setInode(inode)
                .setName(name)));
    }

    MetaResult writeBegin(long inode, long chunkIndex) {
        return apply(ROOT_CRED, MetaOp.newBuilder().setChunkWriteBegin(ChunkWriteBeginOp.newBuilder()
                .setInode(inode).setChunkIndex(chunkIndex)));
    }

    /** A write raise on {@code chain} whose lease base is {@code baseVersion}, as the leader proposes it. */
    MetaResult writeBegin(long inode, long chunkIndex, int baseVersion, String... chain) {
        return apply(ROOT_CRED, MetaOp.newBuilder().setChunkWriteBegin(ChunkWriteBeginOp.newBuilder()
                .setInode(inode).setChunkIndex(chunkIndex).setBaseVersion(baseVersion)
                .addAllChain(java.util.List.of(chain))));
    }

    /** A truncation whose cut chunk is held by {@code cutChain}. */
    MetaResult truncate(Credentials cred, long inode, long sizeBytes, String... cutChain) {
        return setAttr(cred, SetAttrOp.newBuilder().setInode(inode).setSize(sizeBytes)
                .setValid(SetAttrOp.Field.SET_SIZE_VALUE).addAllCutChain(java.util.List.of(cutChain)));
    }

    MetaResult writeEnd(long inode, long newSizeBytes) {
        return apply(ROOT_CRED, MetaOp.newBuilder().setChunkWriteEnd(ChunkWriteEndOp.newBuilder().setInode(inode)
                .setNewSize(newSizeBytes)));
    }

    MetaResult setGoal(Credentials cred, long inode, int goal, boolean recursive) {
        return apply(cred, MetaOp.newBuilder().setSetGoal(SetGoalOp.newBuilder().setInode(inode).setGoal(goal)
                .setRecursive(recursive)));
    }

    Attr attr(long inode) {
        var reply = store.getAttr(inode);
        if (reply.getStatus() != 0) {
            throw new AssertionError("getAttr " + inode + ": " + reply.getMessage());
        }
        return reply.getAttr();
    }

    /** Status of getAttr: 0 when the inode exists. */
    int attrStatus(long inode) {
        return store.getAttr(inode).getStatus();
    }

    long lookupId(long parent, String name) {
        var reply = store.lookup(ROOT_CRED, parent, name);
        if (reply.getStatus() != 0) {
            throw new AssertionError("lookup " + parent + "/" + name + ": " + reply.getMessage());
        }
        return reply.getAttr().getInode();
    }

    /** Every entry of a directory, read page by page. */
    List<DirEntry> list(long dir) {
        List<DirEntry> all = new ArrayList<>();
        long cookie = 0;
        while (true) {
            ReadDirReply page = store.readDir(ROOT_CRED, dir, cookie, 100);
            if (page.getStatus() != 0) {
                throw new AssertionError("readDir " + dir + ": " + page.getMessage());
            }
            all.addAll(page.getEntriesList());
            if (page.getEntriesCount() > 0) {
                cookie = page.getEntries(page.getEntriesCount() - 1).getCookie();
            }
            if (page.getEof()) {
                return all;
            }
        }
    }

    /**
     * The whole tree with every attribute, xattr, symlink target and chunk, one line per name,
     * entries sorted by name: equal dumps mean equal namespaces.
     */
    String dump() {
        StringBuilder out = new StringBuilder();
        dumpInode(out, "/", ROOT);
        var stats = store.stats();
        out.append("stats ").append(stats).append(" next chunk ").append(store.nextChunkId()).append('\n');
        return out.toString();
    }

    private void dumpInode(StringBuilder out, String path, long inode) {
        Attr attr = attr(inode);
        out.append(path).append(' ').append(attr.toString().replace('\n', ' '));
        for (String name : store.listXattr(ROOT_CRED, inode).getNamesList()) {
            out.append(" xattr ").append(name).append('=')
                    .append(store.getXattr(ROOT_CRED, inode, name).getValue().toString(StandardCharsets.UTF_8));
        }
        if (attr.getType() == FileType.SYMLINK) {
            out.append(" -> ").append(store.readLink(inode).getTarget());
        }
        for (var chunk : store.chunksOf(inode)) {
            out.append(" chunk ").append(chunk.getChunkIndex()).append(':').append(chunk.getChunkId()).append('v')
                    .append(chunk.getVersion());
        }
        out.append('\n');
        if (attr.getType() == FileType.DIRECTORY) {
            List<DirEntry> entries = new ArrayList<>(list(inode));
            entries.sort((a, b) -> a.getName().compareTo(b.getName()));
            for (DirEntry entry : entries) {
                dumpInode(out, path + entry.getName() + (entry.getType() == FileType.DIRECTORY ? "/" : ""),
                        entry.getInode());
            }
        }
    }

    MetaResult expectOk(MetaResult result) {
        if (result.getStatus() != 0) {
            throw new AssertionError("expected success, got " + result.getStatus() + ": " + result.getMessage());
        }
        return result;
    }

    @Override
    public void close() {
        store.close();
    }
}
