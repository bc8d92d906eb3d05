package org.mooseng.meta;

import org.mooseng.common.Status;
import org.mooseng.common.StatusException;
import org.mooseng.proto.MetaOp;
import org.mooseng.proto.MetaResult;

/** Routes a MetaOp to its handler; time and identity come only from the op itself. */
final class OpDispatcher {
    private OpDispatcher() {
    }

    static MetaResult.Builder dispatch(ApplyBatch tx, MetaOp op) throws StatusException {
        var cred = op.getCred();
        var now = op.getNow();
        tx.keepUnnamedFiles(op.getKeepUnnamedFiles());
        return switch (op.getOpCase()) {
            case FORMAT -> CreateOps.format(tx, now, op.getFormat());
            case CREATE -> CreateOps.create(tx, cred, now, op.getCreate());
            case SYMLINK -> CreateOps.symlink(tx, cred, now, op.getSymlink());
            case LINK -> CreateOps.link(tx, cred, now, op.getLink());
            case UNLINK -> RemoveOps.unlink(tx, cred, now, op.getUnlink());
            case RENAME -> RenameOps.rename(tx, cred, now, op.getRename());
            case SET_ATTR -> AttrOps.setAttr(tx, cred, now, op.getSetAttr());
            case SET_XATTR -> AttrOps.setXattr(tx, cred, now, op.getSetXattr());
            case REMOVE_XATTR -> AttrOps.removeXattr(tx, cred, now, op.getRemoveXattr());
            case SET_GOAL -> AttrOps.setGoal(tx, cred, op.getSetGoal());
            case CHUNK_WRITE_BEGIN -> ChunkOps.writeBegin(tx, op.getChunkWriteBegin());
            case CHUNK_WRITE_END -> ChunkOps.writeEnd(tx, now, op.getChunkWriteEnd());
            case SESSION_OPEN -> SessionOps.open(tx, now, op.getSessionOpen());
            case SESSION_EXPIRE -> SessionOps.expire(tx, op.getSessionExpire());
            case FILE_OPEN -> SessionOps.fileOpen(tx, cred, op.getFileOpen());
            case FILE_RELEASE -> SessionOps.fileRelease(tx, op.getFileRelease());
            case PURGE_RETAINED -> SessionOps.purgeRetained(tx, op.getPurgeRetained());
            case ACCESS_TIMES -> AttrOps.accessTimes(tx, cred, now, op.getAccessTimes());
            case OP_NOT_SET -> throw new StatusException(Status.EINVAL, "log record without an op");
        };
    }
}
