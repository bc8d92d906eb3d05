package org.mooseng.meta;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.mooseng.proto.Credentials;
import org.mooseng.proto.FileType;
import org.mooseng.proto.SetAttrOp;

/**
 * A seeded mix of every op kind, valid and invalid, over a small set of names so that ops
 * collide (replace, EEXIST, ENOTEMPTY …). Ids are guessed from the counter's range, so some
 * ops hit inodes that are gone: those must fail identically everywhere too.
 */
final class OpScript {
    private static final String[] NAMES = {"a", "b", "c", "d", "e"};
    private static final Credentials[] CREDS = {TestNamespace.ROOT_CRED, TestNamespace.ALICE, TestNamespace.BOB};

    private OpScript() {
    }

    static void run(TestNamespace ns, long seed, int ops) {
        Random random = new Random(seed);
        for (int i = 0; i < ops; i++) {
            ns.now = TestNamespace.time(ns.now.getSeconds() + random.nextInt(3) - 1, random.nextInt(1_000_000_000));
            Credentials cred = CREDS[random.nextInt(CREDS.length)];
            long maxInode = Math.max(2, ns.store.stats().inodes() * 2 + 2);
            long inode = 1 + random.nextLong(maxInode);
            long dir = random.nextInt(3) == 0 ? TestNamespace.ROOT : inode;
            String name = NAMES[random.nextInt(NAMES.length)];
            String other = NAMES[random.nextInt(NAMES.length)];
            switch (random.nextInt(14)) {
                case 0, 1 -> ns.file(cred, dir, name);
                case 2, 3 -> ns.mkdir(cred, dir, name);
                case 4 -> ns.create(cred, dir, name, FileType.FIFO, 0600);
                case 5 -> ns.symlink(cred, dir, name, "target-" + other);
                case 6 -> ns.link(cred, inode, dir, name);
                case 7 -> ns.unlink(cred, dir, name);
                case 8 -> ns.rmdir(cred, dir, name);
                case 9 -> ns.rename(cred, dir, name, random.nextBoolean() ? dir : 1 + random.nextLong(maxInode),
                        other, random.nextInt(4) == 0 ? random.nextInt(3) : 0);
                case 10 -> ns.setAttr(cred, SetAttrOp.newBuilder().setInode(inode)
                        .setValid(random.nextInt(256)).setMode(random.nextInt(07777)).setUid(random.nextInt(3) * 1000)
                        .setGid(random.nextInt(3) * 1000).setSize(random.nextLong(300L << 20))
                        .setAtime(TestNamespace.time(random.nextLong() >> 20, 1))
                        .setMtime(TestNamespace.time(-random.nextInt(1000), 2)));
                case 11 -> ns.setXattr(cred, inode, "user." + name, other.getBytes(StandardCharsets.UTF_8),
                        random.nextInt(3));
                case 12 -> ns.writeBegin(inode, random.nextInt(6));
                case 13 -> {
                    if (random.nextBoolean()) {
                        ns.writeEnd(inode, random.nextLong(400L << 20));
                    } else {
                        ns.setGoal(cred, inode, random.nextInt(11), random.nextBoolean());
                    }
                }
                default -> throw new IllegalStateException();
            }
        }
    }
}
