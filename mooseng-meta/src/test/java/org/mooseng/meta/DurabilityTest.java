package org.mooseng.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mooseng.meta.TestNamespace.ALICE;
import static org.mooseng.meta.TestNamespace.ROOT;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mooseng.proto.Attr;
import org.mooseng.proto.CreateOp;
import org.mooseng.proto.FileType;
import org.mooseng.proto.MetaOp;
import org.mooseng.proto.MetaResult;
import org.mooseng.proto.Timespec;

class DurabilityTest {
    @TempDir
    Path dir;

    @Test
    void sameOpsOnTwoFreshStoresGiveByteIdenticalDumps() throws Exception {
        String first;
        String second;
        try (TestNamespace a = TestNamespace.formatted(dir.resolve("a"))) {
            OpScript.run(a, 7, 1500);
            first = a.dump();
        }
        // A tiny cache must not change any outcome.
        try (TestNamespace b = TestNamespace.withCache(dir.resolve("b"), 8)) {
            b.expectOk(b.format("c1"));
            b.expectOk(b.chmod(TestNamespace.ROOT_CRED, ROOT, 0777));
            OpScript.run(b, 7, 1500);
            second = b.dump();
        }
        assertThat(second.getBytes(StandardCharsets.UTF_8)).isEqualTo(first.getBytes(StandardCharsets.UTF_8));
        assertThat(first.lines().count()).as("the script must build a real tree").isGreaterThan(10);
    }

    @Test
    void reopenKeepsStateAndAppliedIndexAndReplayedIndicesChangeNothing() throws Exception {
        Path store = dir.resolve("s");
        String before;
        long applied;
        MetaOp replayed = MetaOp.newBuilder().setCred(ALICE).setNow(Timespec.newBuilder().setSeconds(5))
                .setCreate(CreateOp.newBuilder().setParent(ROOT).setName("replayed").setType(FileType.REGULAR))
                .build();
        try (TestNamespace ns = TestNamespace.formatted(store)) {
            OpScript.run(ns, 11, 500);
            before = ns.dump();
            applied = ns.store.lastAppliedIndex();
            assertThat(applied).isEqualTo(502);
        }
        try (TestNamespace ns = TestNamespace.open(store)) {
            assertThat(ns.store.lastAppliedIndex()).isEqualTo(applied);
            assertThat(ns.dump()).isEqualTo(before);
            for (long index = 1; index <= applied; index += 37) {
                MetaResult r = ns.store.apply(index, replayed);
                assertThat(r.getStatus()).isZero();
                assertThat(r.hasAttr()).isFalse();
            }
            assertThat(ns.dump()).isEqualTo(before);
            assertThat(ns.store.lastAppliedIndex()).isEqualTo(applied);
            assertThat(ns.store.apply(applied + 1, replayed).getAttr().getInode()).isPositive();
        }
    }

    @Test
    void checkpointAndRestoreRoundTrip() throws Exception {
        try (TestNamespace ns = TestNamespace.formatted(dir.resolve("s"))) {
            OpScript.run(ns, 3, 300);
            String atCheckpoint = ns.dump();
            long index = ns.store.lastAppliedIndex();
            Path checkpoint = dir.resolve("cp");
            ns.store.checkpoint(checkpoint);
            ns.fileId(ALICE, ROOT, "after-checkpoint");
            OpScript.run(ns, 4, 100);
            assertThat(ns.dump()).isNotEqualTo(atCheckpoint);

            ns.store.restore(checkpoint);
            assertThat(ns.store.lastAppliedIndex()).isEqualTo(index);
            assertThat(ns.dump()).isEqualTo(atCheckpoint);
            // The store keeps working after a restore, from the restored index on.
            MetaResult r = ns.store.apply(index + 1, MetaOp.newBuilder().setCred(ALICE).setCreate(CreateOp
                    .newBuilder().setParent(ROOT).setName("fresh-name").setType(FileType.REGULAR)).build());
            assertThat(r.getStatus()).isZero();
        }
    }

    @Test
    void checkpointIntoExistingDirectoryFails() throws Exception {
        try (TestNamespace ns = TestNamespace.formatted(dir.resolve("s"))) {
            assertThatThrownBy(() -> ns.store.checkpoint(dir)).isInstanceOf(java.io.IOException.class);
        }
    }

    @Test
    void sixtyFourBitTimestampsRoundTripThroughTheStore() throws Exception {
        Path store = dir.resolve("s");
        Timespec far = TestNamespace.time(1L << 40, 123_456_789);
        Timespec past2106 = TestNamespace.time(4_500_000_000L, 1);
        Timespec negative = TestNamespace.time(-1L << 35, 999_999_999);
        long a;
        long b;
        long c;
        try (TestNamespace ns = TestNamespace.formatted(store)) {
            ns.now = far;
            a = ns.fileId(ALICE, ROOT, "a");
            ns.now = past2106;
            b = ns.fileId(ALICE, ROOT, "b");
            ns.now = negative;
            c = ns.fileId(ALICE, ROOT, "c");
        }
        try (TestNamespace ns = TestNamespace.open(store)) {
            Attr attr = ns.attr(a);
            assertThat(attr.getMtime()).isEqualTo(far);
            assertThat(attr.getAtime()).isEqualTo(far);
            assertThat(ns.attr(b).getCtime()).isEqualTo(past2106);
            assertThat(ns.attr(c).getCtime()).isEqualTo(negative);
            assertThat(ns.attr(ROOT).getMtime()).isEqualTo(negative);
        }
    }

    @Test
    void closedStoreRefusesUse() throws Exception {
        TestNamespace ns = TestNamespace.formatted(dir.resolve("s"));
        ns.close();
        ns.close();
        assertThatThrownBy(() -> ns.store.getAttr(ROOT)).isInstanceOf(IllegalStateException.class);
    }
}
