package org.mooseng.metalogger;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import com.google.protobuf.ByteString;
import org.mooseng.proto.ChunkWriteBeginOp;
import org.mooseng.proto.ChunkWriteEndOp;
import org.mooseng.proto.CreateOp;
import org.mooseng.proto.Credentials;
import org.mooseng.proto.FileOpenOp;
import org.mooseng.proto.FileReleaseOp;
import org.mooseng.proto.FileType;
import org.mooseng.proto.FormatOp;
import org.mooseng.proto.LinkOp;
import org.mooseng.proto.MetaOp;
import org.mooseng.proto.RemoveXattrOp;
import org.mooseng.proto.RenameOp;
import org.mooseng.proto.SessionExpireOp;
import org.mooseng.proto.SessionOpenOp;
import org.mooseng.proto.SetAttrOp;
import org.mooseng.proto.SetGoalOp;
import org.mooseng.proto.SetXattrOp;
import org.mooseng.proto.SymlinkOp;
import org.mooseng.proto.Timespec;
import org.mooseng.proto.UnlinkOp;

/**
 * A seeded list of log records covering every op kind, valid and invalid (inode ids are guessed
 * from a small range, names collide), with leader times that rise by about a second per op.
 * Raft indexes have holes, as configuration entries leave in a real log.
 */
final class OpScript {
    static final String CLUSTER_ID = "restore-test-cluster";
    static final long FIRST_SECOND = 1_700_000_000L;
    private static final String[] NAMES = {"a", "b", "c", "d", "e", "f"};
    private static final Credentials ROOT = Credentials.newBuilder().setUid(0).setGid(0).build();
    private static final Credentials ALICE = Credentials.newBuilder().setUid(1000).setGid(1000).build();

    private OpScript() {
    }

    /** One scripted op at its log index. */
    record Entry(long index, long prevIndex, MetaOp op) {
        LogRecord record() {
            return new LogRecord(index, prevIndex, op.getNow().getSeconds(), op.getNow().getNanos(), op.toByteArray());
        }

        java.time.Instant time() {
            return java.time.Instant.ofEpochSecond(op.getNow().getSeconds(), op.getNow().getNanos());
        }
    }

    static List<Entry> generate(long seed, int count) {
        Random random = new Random(seed);
        List<Entry> entries = new ArrayList<>();
        long index = 0;
        long prev = 0;
        for (int i = 0; i < count; i++) {
            index += random.nextInt(5) == 0 ? 2 : 1; // a configuration entry in between now and then
            Timespec now = Timespec.newBuilder().setSeconds(FIRST_SECOND + i).setNanos(random.nextInt(1_000_000_000))
                    .build();
            MetaOp.Builder op = i == 0 ? MetaOp.newBuilder().setFormat(FormatOp.newBuilder().setClusterId(CLUSTER_ID))
                    : randomOp(random, i);
            op.setNow(now);
            if (!op.hasCred()) {
                op.setCred(random.nextInt(4) == 0 ? ALICE : ROOT);
            }
            entries.add(new Entry(index, prev, op.build()));
            prev = index;
        }
        return entries;
    }

    private static MetaOp.Builder randomOp(Random random, int i) {
        long inode = 1 + random.nextInt(Math.max(4, i / 3));
        long dir = random.nextInt(3) == 0 ? 1 : inode;
        String name = NAMES[random.nextInt(NAMES.length)];
        String other = NAMES[random.nextInt(NAMES.length)];
        MetaOp.Builder op = MetaOp.newBuilder();
        switch (random.nextInt(17)) {
            case 0, 1, 2 -> op.setCreate(CreateOp.newBuilder().setParent(dir).setName(name).setType(FileType.REGULAR)
                    .setMode(0644));
            case 3, 4 -> op.setCreate(CreateOp.newBuilder().setParent(dir).setName(name).setType(FileType.DIRECTORY)
                    .setMode(0755));
            case 5 -> op.setSymlink(SymlinkOp.newBuilder().setParent(dir).setName(name).setTarget("to-" + other));
            case 6 -> op.setLink(LinkOp.newBuilder().setInode(inode).setNewParent(dir).setNewName(other));
            case 7 -> op.setUnlink(UnlinkOp.newBuilder().setParent(dir).setName(name).setIsDir(random.nextBoolean()));
            case 8 -> op.setRename(RenameOp.newBuilder().setParent(dir).setName(name).setNewParent(
                    random.nextBoolean() ? dir : 1).setNewName(other));
            case 9 -> op.setSetAttr(SetAttrOp.newBuilder().setInode(inode).setValid(random.nextInt(64))
                    .setMode(random.nextInt(07777)).setUid(random.nextInt(3) * 1000).setGid(random.nextInt(3) * 1000)
                    .setSize(random.nextLong(200L << 20))
                    .setAtime(Timespec.newBuilder().setSeconds(FIRST_SECOND - random.nextInt(1000)))
                    .setMtime(Timespec.newBuilder().setSeconds(FIRST_SECOND - random.nextInt(1000))));
            case 10 -> op.setSetXattr(SetXattrOp.newBuilder().setInode(inode).setName("user." + name)
                    .setValue(ByteString.copyFrom(other + i, StandardCharsets.UTF_8)));
            case 11 -> op.setRemoveXattr(RemoveXattrOp.newBuilder().setInode(inode).setName("user." + name));
            case 12 -> op.setChunkWriteBegin(ChunkWriteBeginOp.newBuilder().setInode(inode)
                    .setChunkIndex(random.nextInt(4)));
            case 13 -> op.setChunkWriteEnd(ChunkWriteEndOp.newBuilder().setInode(inode)
                    .setNewSize(random.nextLong(300L << 20)));
            case 14 -> op.setSetGoal(SetGoalOp.newBuilder().setInode(inode).setGoal(1 + random.nextInt(4))
                    .setRecursive(random.nextBoolean()));
            case 15 -> {
                long session = 1 + random.nextInt(3);
                switch (random.nextInt(4)) {
                    case 0 -> op.setSessionOpen(SessionOpenOp.newBuilder().setHost("host" + session)
                            .setMountPoint("/mnt/" + session).setLeaseMs(30_000));
                    case 1 -> op.setFileOpen(FileOpenOp.newBuilder().setSessionId(session).setInode(inode)
                            .setFlags(1 + random.nextInt(3)));
                    case 2 -> op.setFileRelease(FileReleaseOp.newBuilder().setSessionId(session).setInode(inode)
                            .setFlags(1 + random.nextInt(3)));
                    default -> op.setSessionExpire(SessionExpireOp.newBuilder().setSessionId(session)
                            .setClosedByClient(random.nextBoolean()));
                }
            }
            default -> op.setCreate(CreateOp.newBuilder().setParent(dir).setName(name + i).setType(FileType.FIFO)
                    .setMode(0600));
        }
        return op;
    }
}
