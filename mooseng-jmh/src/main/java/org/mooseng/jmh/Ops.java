package org.mooseng.jmh;

import com.google.protobuf.ByteString;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import org.mooseng.proto.CreateOp;
import org.mooseng.proto.Credentials;
import org.mooseng.proto.FileType;
import org.mooseng.proto.FormatOp;
import org.mooseng.proto.MetaOp;
import org.mooseng.proto.MetaResult;
import org.mooseng.proto.RenameOp;
import org.mooseng.proto.Timespec;
import org.mooseng.proto.UnlinkOp;

/**
 * Namespace log records as the master logs them for a client: the caller's credentials, the
 * leader's time and a fresh 16-byte request id (so every op also writes its entry in the
 * table of applied requests, as a client's create, rename and unlink do).
 */
final class Ops {
    static final long ROOT_INODE = 1;
    static final Credentials ROOT = Credentials.newBuilder().setUid(0).setGid(0).build();
    private static final int REQUEST_ID_BYTES = 16;

    private Ops() {
    }

    static MetaOp format(String clusterId) {
        return stamped(MetaOp.newBuilder().setFormat(FormatOp.newBuilder().setClusterId(clusterId)));
    }

    static MetaOp createFile(long parent, String name) {
        return create(parent, name, FileType.REGULAR, 0644);
    }

    static MetaOp createDirectory(long parent, String name) {
        return create(parent, name, FileType.DIRECTORY, 0755);
    }

    static MetaOp rename(long parent, String name, String newName) {
        return stamped(MetaOp.newBuilder().setRename(RenameOp.newBuilder().setParent(parent).setName(name)
                .setNewParent(parent).setNewName(newName)));
    }

    static MetaOp unlink(long parent, String name) {
        return stamped(MetaOp.newBuilder().setUnlink(UnlinkOp.newBuilder().setParent(parent).setName(name)));
    }

    /** The result, or an exception naming the op when it was rejected: a benchmark must not time failures. */
    static MetaResult accepted(MetaOp op, MetaResult result) {
        if (result.getStatus() != 0) {
            throw new IllegalStateException(op.getOpCase() + " rejected with status " + result.getStatus() + ": "
                    + result.getMessage());
        }
        return result;
    }

    private static MetaOp create(long parent, String name, FileType type, int mode) {
        return stamped(MetaOp.newBuilder().setCreate(CreateOp.newBuilder().setParent(parent).setName(name)
                .setType(type).setMode(mode)));
    }

    private static MetaOp stamped(MetaOp.Builder op) {
        Instant now = Instant.now();
        byte[] requestId = new byte[REQUEST_ID_BYTES];
        ThreadLocalRandom.current().nextBytes(requestId);
        return op.setCred(ROOT).setNow(Timespec.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
                .setRequestId(ByteString.copyFrom(requestId)).build();
    }
}
