package org.mooseng.client;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.mooseng.common.InodeId;
import org.mooseng.proto.AccessRequest;
import org.mooseng.proto.Attr;
import org.mooseng.proto.AttrReply;
import org.mooseng.proto.Credentials;
import org.mooseng.proto.DirEntry;
import org.mooseng.proto.GetAttrRequest;
import org.mooseng.proto.GetXattrReply;
import org.mooseng.proto.GetXattrRequest;
import org.mooseng.proto.ListXattrReply;
import org.mooseng.proto.ListXattrRequest;
import org.mooseng.proto.LookupRequest;
import org.mooseng.proto.MetaOp;
import org.mooseng.proto.MetaResult;
import org.mooseng.proto.MutateRequest;
import org.mooseng.proto.ReadDirReply;
import org.mooseng.proto.ReadDirRequest;
import org.mooseng.proto.ReadLinkReply;
import org.mooseng.proto.ReadLinkRequest;
import org.mooseng.proto.RemoveXattrOp;
import org.mooseng.proto.SetAttrOp;
import org.mooseng.proto.SetAttrReply;
import org.mooseng.proto.SetAttrRequest;
import org.mooseng.proto.SetXattrOp;
import org.mooseng.proto.StatusReply;

/** The namespace RPCs, with replies checked and turned into exceptions in one place. */
final class MasterNamespace implements PathResolver.Namespace {
    /** Entries asked for per ReadDir call. */
    private static final int READDIR_PAGE = 1024;
    private static final int REQUEST_ID_BYTES = 16;

    private final MasterConnection master;
    private final Credentials credentials;
    private final OwnDirectoryChanges ownChanges;
    private final KnownListings knownListings;

    MasterNamespace(MasterConnection master, Credentials credentials, OwnDirectoryChanges ownChanges,
                    KnownListings knownListings) {
        this.master = master;
        this.credentials = credentials;
        this.ownChanges = ownChanges;
        this.knownListings = knownListings;
    }

    Credentials credentials() {
        return credentials;
    }

    @Override
    public Attr lookup(InodeId parent, String name, String subject) throws MoosengException {
        LookupRequest request = LookupRequest.newBuilder().setCred(credentials).setParent(parent.value())
                .setName(name).build();
        return checked(master.call(subject, s -> s.lookup(request)), subject);
    }

    @Override
    public Attr getAttr(InodeId inode, String subject) throws MoosengException {
        GetAttrRequest request = GetAttrRequest.newBuilder().setInode(inode.value()).build();
        return checked(master.call(subject, s -> s.getAttr(request)), subject);
    }

    @Override
    public String readLink(InodeId inode, String subject) throws MoosengException {
        ReadLinkRequest request = ReadLinkRequest.newBuilder().setInode(inode.value()).build();
        ReadLinkReply reply = master.call(subject, s -> s.readLink(request));
        MoosengException.check(reply.getStatus(), subject, reply.getMessage());
        return reply.getTarget();
    }

    /** One page of entries after {@code cookie}, packed (a master that does not pack answers with DirEntry messages). */
    ReadDirReply readDirPage(InodeId directory, long cookie, int maxEntries, String subject) throws MoosengException {
        ReadDirRequest request = ReadDirRequest.newBuilder().setCred(credentials).setInode(directory.value())
                .setCookie(cookie).setMaxEntries(maxEntries).setPacked(true).build();
        ReadDirReply reply = master.call(subject, s -> s.readDir(request));
        MoosengException.check(reply.getStatus(), subject, reply.getMessage());
        return reply;
    }

    /** Every entry of a directory, fetched page by page. */
    List<DirEntry> readDir(InodeId directory, String subject) throws MoosengException {
        List<DirEntry> entries = new ArrayList<>();
        long cookie = 0;
        while (true) {
            ReadDirRequest request = ReadDirRequest.newBuilder().setCred(credentials).setInode(directory.value())
                    .setCookie(cookie).setMaxEntries(READDIR_PAGE).build();
            ReadDirReply reply = master.call(subject, s -> s.readDir(request));
            MoosengException.check(reply.getStatus(), subject, reply.getMessage());
            entries.addAll(reply.getEntriesList());
            if (reply.getEof() || reply.getEntriesCount() == 0) {
                return entries;
            }
            long next = reply.getEntries(reply.getEntriesCount() - 1).getCookie();
            if (next == cookie) {
                throw new IllegalStateException(subject + ": master repeated readdir cookie " + cookie);
            }
            cookie = next;
        }
    }

    /**
     * Runs one namespace change. Its request id is chosen once, here: every resend by
     * {@link MasterConnection#call} carries the same id, so the master applies the change once
     * and answers a resend with the first result (not EEXIST or ENOENT). The directory it
     * changed is remembered as the change left it ({@link OwnDirectoryChanges}), and its
     * names followed when this client knows them all ({@link KnownListings}).
     */
    MetaResult mutate(MetaOp.Builder op, String subject) throws MoosengException {
        MutateRequest request = MutateRequest.newBuilder()
                .setOp(op.setCred(credentials).setRequestId(newRequestId())).build();
        long mark = ownChanges.beforeChange(request.getOp());
        MetaResult result;
        try {
            result = master.call(subject, s -> s.mutate(request));
            MoosengException.check(result.getStatus(), subject, result.getMessage());
        } catch (MoosengException | RuntimeException e) {
            knownListings.failed(request.getOp());
            throw e;
        }
        ownChanges.afterChange(mark, result);
        knownListings.changed(request.getOp(), result);
        return result;
    }

    /** A SetAttr, with one request id for all its resends, as {@link #mutate}; forgets the inode's recent attributes. */
    SetAttrReply setAttr(SetAttrOp op, String subject) throws MoosengException {
        SetAttrRequest request = SetAttrRequest.newBuilder().setCred(credentials).setOp(op)
                .setRequestId(newRequestId()).build();
        ownChanges.beforeChange(op.getInode());
        SetAttrReply reply = master.call(subject, s -> s.setAttr(request));
        MoosengException.check(reply.getStatus(), subject, reply.getMessage());
        return reply;
    }

    byte[] getXattr(InodeId inode, String name, String subject) throws MoosengException {
        GetXattrRequest request = GetXattrRequest.newBuilder().setCred(credentials).setInode(inode.value())
                .setName(name).build();
        GetXattrReply reply = master.call(subject, s -> s.getXattr(request));
        MoosengException.check(reply.getStatus(), subject, reply.getMessage());
        return reply.getValue().toByteArray();
    }

    void setXattr(InodeId inode, String name, byte[] value, int flags, String subject) throws MoosengException {
        SetXattrOp op = SetXattrOp.newBuilder().setInode(inode.value()).setName(name)
                .setValue(ByteString.copyFrom(value)).setFlags(flags).build();
        mutate(MetaOp.newBuilder().setSetXattr(op), subject);
    }

    List<String> listXattr(InodeId inode, String subject) throws MoosengException {
        ListXattrRequest request = ListXattrRequest.newBuilder().setCred(credentials).setInode(inode.value()).build();
        ListXattrReply reply = master.call(subject, s -> s.listXattr(request));
        MoosengException.check(reply.getStatus(), subject, reply.getMessage());
        return List.copyOf(reply.getNamesList());
    }

    void removeXattr(InodeId inode, String name, String subject) throws MoosengException {
        RemoveXattrOp op = RemoveXattrOp.newBuilder().setInode(inode.value()).setName(name).build();
        mutate(MetaOp.newBuilder().setRemoveXattr(op), subject);
    }

    void access(InodeId inode, int mask, String subject) throws MoosengException {
        AccessRequest request = AccessRequest.newBuilder().setCred(credentials).setInode(inode.value())
                .setMask(mask).build();
        StatusReply reply = master.call(subject, s -> s.access(request));
        MoosengException.check(reply.getStatus(), subject, reply.getMessage());
    }

    private static Attr checked(AttrReply reply, String subject) throws MoosengException {
        MoosengException.check(reply.getStatus(), subject, reply.getMessage());
        return reply.getAttr();
    }

    static ByteString newRequestId() {
        byte[] id = new byte[REQUEST_ID_BYTES];
        ThreadLocalRandom.current().nextBytes(id);
        return ByteString.copyFrom(id);
    }
}
